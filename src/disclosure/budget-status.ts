import { MICROS_PER_UNIT } from './epsilon.js';

/**
 * Where a token stands. Micro-units (10^-6 epsilon) are exact; the plain
 * numbers are for display.
 *
 * @example
 * ```ts
 * const s = ledger.status('acme'); // { spent: 0.25, budget: 1, remaining: 0.75, ... }
 * ```
 */
export interface BudgetStatus {
  readonly tokenId: string;
  readonly spentMicros: number;
  readonly budgetMicros: number;
  readonly remainingMicros: number;
  readonly spent: number;
  readonly budget: number;
  readonly remaining: number;
  /** When the oldest charge in the window stops counting (ms since epoch), or null with none. */
  readonly nextExpiry: number | null;
}

/**
 * A token's {@link BudgetStatus} from its live charges: what every budget
 * (memory, file ledger, PostgreSQL) reports, built in one place.
 *
 * @example
 * ```ts
 * budgetStatus('acme', 250_000, 1_000_000, oldestChargeAt, 30 * 86_400_000).remaining; // 0.75
 * ```
 */
export function budgetStatus(
  tokenId: string,
  spentMicros: number,
  budgetMicros: number,
  oldest: number | null,
  windowMs: number,
): BudgetStatus {
  const remainingMicros = Math.max(0, budgetMicros - spentMicros);
  return {
    tokenId,
    spentMicros,
    budgetMicros,
    remainingMicros,
    spent: spentMicros / MICROS_PER_UNIT,
    budget: budgetMicros / MICROS_PER_UNIT,
    remaining: remainingMicros / MICROS_PER_UNIT,
    nextExpiry: oldest === null ? null : oldest + windowMs,
  };
}
