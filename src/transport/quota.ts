/**
 * Items each token holder submitted today (UTC). Within a session the service
 * blinds whatever the client sends, so a client with unlimited sessions could
 * test arbitrary identifiers for membership; a daily budget caps that probing.
 * Counters live in memory: a restart starts the day's counts afresh.
 *
 * @example
 * ```ts
 * const quota = new DailyQuota();
 * quota.charge('acme', 10_000, 50_000); // true: 10,000 of 50,000 used
 * quota.charge('acme', 45_000, 50_000); // false: would exceed, nothing charged
 * ```
 */
export class DailyQuota {
  #day = '';
  readonly #used = new Map<string, number>();

  /**
   * Charges `items` to `id` if they fit within `limit` for the current UTC day;
   * returns whether they did. A refused charge costs nothing.
   */
  charge(id: string, items: number, limit: number, now = Date.now()): boolean {
    this.#roll(now);
    const used = this.#used.get(id) ?? 0;
    if (used + items > limit) return false;
    this.#used.set(id, used + items);
    return true;
  }

  /** Gives back `items` charged to `id` today for work that was never done. */
  refund(id: string, items: number, now = Date.now()): void {
    this.#roll(now);
    const used = this.#used.get(id);
    if (used !== undefined) this.#used.set(id, Math.max(0, used - items));
  }

  /** Items charged to `id` on the current UTC day. */
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
