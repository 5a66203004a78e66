import { PsiError } from '../../errors.js';
import type { ItemCounter } from '../admission.js';
import { databaseError, type Database } from './database.js';

function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Per-token daily item quotas in PostgreSQL, shared by every replica. A charge
 * is one statement: an upsert of the token's row for the UTC day that adds the
 * items only if the sum stays within the limit (the row lock of `ON CONFLICT DO
 * UPDATE` serialises concurrent charges), so replicas together never pass it.
 *
 * @example
 * ```ts
 * const items = new PostgresItemCounter(db);
 * await items.charge('acme', 10_000, 5_000_000); // true
 * await items.refund('acme', 10_000);            // a session refused at its handshake
 * ```
 */
export class PostgresItemCounter implements ItemCounter {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Charges `amount` to `id` today if it fits within `limit`; resolves whether it did. */
  async charge(id: string, amount: number, limit: number, now = Date.now()): Promise<boolean> {
    checkCount(amount, 'amount');
    // "No quota" is the largest count the column and JavaScript agree on.
    const cap = Math.min(limit, Number.MAX_SAFE_INTEGER);
    try {
      const { rowCount } = await this.#db.query(
        `INSERT INTO item_counts (token_id, day, used) SELECT $1::text, $2::date, $3::bigint WHERE $3::bigint <= $4::bigint
         ON CONFLICT (token_id, day) DO UPDATE SET used = item_counts.used + EXCLUDED.used
         WHERE item_counts.used + EXCLUDED.used <= $4::bigint`,
        [id, utcDay(now), amount, cap],
      );
      return rowCount === 1;
    } catch (e) {
      throw databaseError(e, 'charging an item quota');
    }
  }

  /** Gives back items charged today for work that was never done. */
  async refund(id: string, amount: number, now = Date.now()): Promise<void> {
    checkCount(amount, 'amount');
    try {
      await this.#db.query('UPDATE item_counts SET used = greatest(0, used - $3::bigint) WHERE token_id = $1 AND day = $2::date', [
        id,
        utcDay(now),
        amount,
      ]);
    } catch (e) {
      throw databaseError(e, 'refunding an item quota');
    }
  }

  /** Items charged to `id` on the UTC day of `now`. */
  async used(id: string, now = Date.now()): Promise<number> {
    try {
      const { rows } = await this.#db.query<{ used: string }>('SELECT used::text FROM item_counts WHERE token_id = $1 AND day = $2::date', [
        id,
        utcDay(now),
      ]);
      return rows.length === 0 ? 0 : Number(rows[0]!.used);
    } catch (e) {
      throw databaseError(e, 'reading an item quota');
    }
  }
}

function checkCount(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new PsiError('OPTIONS_INVALID', `${name} must be a non-negative integer, got ${String(n)}`);
}
