import { toMicros, toRational, type Epsilon } from '../disclosure/epsilon.js';
import type { PrivacyBudget } from '../disclosure/memory-budget.js';
import { DEFAULT_WINDOW_MS } from '../disclosure/policy.js';

/**
 * A token's privacy budget as `GET /v1/terms` shows it to its holder, so that
 * an advertiser knows before matching how many releases it has left.
 *
 * @example
 * ```ts
 * const b: TermsBudget = { spent: 0.25, remaining: 0.75, budget: 1, window: '30d', windowMs: 2_592_000_000,
 *   nextCreditAt: '2026-01-31T10:00:00.000Z', epsilonPerRelease: 0.25, releasesLeft: 3 };
 * ```
 */
export interface TermsBudget {
  /** Epsilon spent within the window. */
  spent: number;
  remaining: number;
  /** Epsilon the token may spend per window. */
  budget: number;
  /** The window, e.g. `'30d'`. */
  window: string;
  windowMs: number;
  /** When the oldest charge in the window stops counting (ISO), or `null` with none. */
  nextCreditAt: string | null;
  epsilonPerRelease: number;
  /** Releases the remaining epsilon pays for: floor(remaining / epsilonPerRelease). */
  releasesLeft: number;
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * A duration in the largest unit that divides it, as the CLI's flags write it.
 *
 * @example
 * ```ts
 * formatDuration(30 * 86_400_000); // '30d'
 * formatDuration(1500);            // '1500ms'
 * ```
 */
export function formatDuration(ms: number): string {
  const unit = UNITS.find(([, size]) => ms % size === 0);
  return unit === undefined ? `${ms}ms` : `${ms / unit[1]}${unit[0]}`;
}

/**
 * Where `tokenId` stands in `budget`, for releases of `epsilonPerRelease` each.
 *
 * @example
 * ```ts
 * const view = await budgetView(new MemoryBudget(), 'acme', 0.25); // releasesLeft 4
 * ```
 */
export async function budgetView(
  budget: PrivacyBudget,
  tokenId: string,
  epsilonPerRelease: Epsilon,
  now = Date.now(),
): Promise<TermsBudget> {
  const status = await budget.status(tokenId, now);
  const windowMs = budget.windowMs ?? DEFAULT_WINDOW_MS;
  const perRelease = toMicros(toRational(epsilonPerRelease), 'up');
  return {
    spent: status.spent,
    remaining: status.remaining,
    budget: status.budget,
    window: formatDuration(windowMs),
    windowMs,
    nextCreditAt: status.nextExpiry === null ? null : new Date(status.nextExpiry).toISOString(),
    epsilonPerRelease: perRelease / 1_000_000,
    releasesLeft: Math.floor(status.remainingMicros / perRelease),
  };
}
