import { MICROS_PER_UNIT } from './epsilon.js';
import type { BudgetStatus } from './ledger.js';

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
