import { toMicros, toRational, type Epsilon } from '../disclosure/epsilon.js';
import type { PrivacyBudget } from '../disclosure/memory-budget.js';
import { DEFAULT_WINDOW_MS } from '../disclosure/policy.js';
import type { TermsBudget } from '../wire/terms.js';

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
