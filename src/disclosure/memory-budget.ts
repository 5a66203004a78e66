import { PsiError } from '../errors.js';
import { budgetStatus } from './budget-status.js';
import { toMicros, toRational, type Epsilon } from './epsilon.js';
import type { BudgetStatus } from './budget-status.js';
import { DEFAULT_BUDGET, DEFAULT_WINDOW_MS } from './policy.js';
import { settleReleases } from './settle.js';

/**
 * What a service needs of a privacy budget: charge epsilon for one release of a
 * token, refusing with `BUDGET_EXCEEDED` when the window's total would pass the
 * budget. `BudgetLedger` (Node) persists it across restarts; {@link MemoryBudget} does not.
 *
 * @example
 * ```ts
 * const budget: PrivacyBudget = await BudgetLedger.open('state/ledger.json');
 * await budget.charge('acme', 0.25);
 * ```
 */
export interface PrivacyBudget {
  charge(tokenId: string, epsilon: Epsilon, now?: number): Promise<unknown>;
  /** Where `tokenId` stands at `now`: spent, remaining, and when the oldest charge stops counting. */
  status(tokenId: string, now?: number): BudgetStatus | Promise<BudgetStatus>;
  /**
   * Optional: settles a session's charges (`epsilon` in all) once its figures
   * were released with noise keyed on `seed` (hex): gives them back, resolving
   * `true`, when a live release of the token had the same seed (a byte-identical
   * repeat, answered with the same figures). Without it every session is charged.
   */
  settle?(tokenId: string, seed: string, epsilon: Epsilon, now?: number): Promise<boolean>;
  /** Length of the sliding window in ms, when the budget knows it (default 30 days). */
  readonly windowMs?: number;
}

/**
 * A {@link PrivacyBudget} in memory: the same arithmetic as the ledger, in
 * integer micro-units of epsilon, but forgotten on restart. For tests and
 * embedded use where the caller persists nothing; a service should use the ledger.
 *
 * @example
 * ```ts
 * const budget = new MemoryBudget({ budget: 1 });
 * await budget.charge('acme', 0.25); // 0.75 left for 30 days
 * ```
 */
export class MemoryBudget implements PrivacyBudget {
  readonly windowMs: number;
  readonly #limit: number;
  readonly #charges = new Map<string, { at: number; epsilonMicros: number; seed?: string }[]>();

  constructor(options: { budget?: Epsilon; windowMs?: number } = {}) {
    this.#limit = toMicros(toRational(options.budget ?? DEFAULT_BUDGET, 'budget'), 'down');
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  }

  async charge(tokenId: string, epsilon: Epsilon, now = Date.now()): Promise<void> {
    const micros = toMicros(toRational(epsilon), 'up');
    const live = this.#live(tokenId, now);
    const spent = live.reduce((sum, c) => sum + c.epsilonMicros, 0);
    if (spent + micros > this.#limit) {
      throw new PsiError('BUDGET_EXCEEDED', `${tokenId} has spent its privacy budget for this window; another release would exceed it`);
    }
    live.push({ at: now, epsilonMicros: micros });
    this.#charges.set(tokenId, live);
  }

  async settle(tokenId: string, seed: string, epsilon: Epsilon, now = Date.now()): Promise<boolean> {
    const live = this.#live(tokenId, now);
    const repeat = settleReleases(live, seed, toMicros(toRational(epsilon), 'up'));
    this.#charges.set(tokenId, live);
    return repeat;
  }

  /**
   * Where `tokenId` stands at `now`, as `BudgetLedger.status` reports it.
   *
   * @example
   * ```ts
   * new MemoryBudget().status('acme').remaining; // 1
   * ```
   */
  status(tokenId: string, now = Date.now()): BudgetStatus {
    const live = this.#live(tokenId, now);
    const spentMicros = live.reduce((sum, c) => sum + c.epsilonMicros, 0);
    const oldest = live.length === 0 ? null : Math.min(...live.map((c) => c.at));
    return budgetStatus(tokenId, spentMicros, this.#limit, oldest, this.windowMs);
  }

  #live(tokenId: string, now: number) {
    return (this.#charges.get(tokenId) ?? []).filter((c) => now - c.at < this.windowMs);
  }
}
