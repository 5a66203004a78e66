/**
 * Per-token amounts used on the current UTC day (items submitted, sessions
 * started), checked and charged in one call so that concurrent requests cannot
 * both pass a limit. Counters live in memory: a restart starts the day afresh.
 *
 * @example
 * ```ts
 * const items = new DailyCounter();
 * items.charge('acme', 10_000, 50_000); // true: 10,000 of 50,000 used
 * items.charge('acme', 45_000, 50_000); // false: would exceed, nothing charged
 * ```
 */
export class DailyCounter {
  #day = '';
  readonly #used = new Map<string, number>();

  /** Charges `amount` to `id` if it fits within `limit` today; returns whether it did. A refused charge costs nothing. */
  charge(id: string, amount: number, limit: number, now = Date.now()): boolean {
    this.#roll(now);
    const used = this.#used.get(id) ?? 0;
    if (used + amount > limit) return false;
    this.#used.set(id, used + amount);
    return true;
  }

  /** Gives back `amount` charged to `id` today for work that was never done. */
  refund(id: string, amount: number, now = Date.now()): void {
    this.#roll(now);
    const used = this.#used.get(id);
    if (used !== undefined) this.#used.set(id, Math.max(0, used - amount));
  }

  /** Amount charged to `id` today. */
  used(id: string, now = Date.now()): number {
    this.#roll(now);
    return this.#used.get(id) ?? 0;
  }

  #roll(now: number): void {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.#day) {
      this.#day = day;
      this.#used.clear();
    }
  }
}
