import { MICROS_PER_UNIT, toMicros, toRational, type Epsilon } from '../../disclosure/epsilon.js';
import { budgetStatus } from '../../disclosure/budget-status.js';
import type { BudgetStatus } from '../../disclosure/budget-status.js';
import type { BudgetLedgerOptions } from '../ledger.js';
import type { PrivacyBudget } from '../../disclosure/memory-budget.js';
import { DEFAULT_BUDGET, DEFAULT_WINDOW_MS } from '../../disclosure/policy.js';
import { PsiError } from '../../errors.js';
import { settleReleases } from '../../disclosure/settle.js';
import { inTransaction, type Database, type DatabaseClient } from './database.js';

/** First key of the per-token advisory locks of charges (the second is the token id's hash). */
const BUDGET_LOCK_SPACE = 0x626a_6267; // "bjbg"

/** `$2` as the charge's time: the given milliseconds, or the database's clock, one clock for every replica. */
const AT = 'coalesce(to_timestamp($2::double precision / 1000), clock_timestamp())';

/**
 * The privacy budget of every token in PostgreSQL, shared by every replica of a
 * service: the same sliding-window arithmetic as the file ledger, in integer
 * micro-units of epsilon. Each charge is one transaction that first takes the
 * token's advisory lock, then inserts the charge only if the charges still in the
 * window plus this one stay within the budget: concurrent charges of one token,
 * from any number of processes, are serialised, so together they never spend
 * more than the budget. A charge is committed before `charge()` resolves; only
 * {@link settle} gives back the charges of a byte-identical repeat.
 *
 * @example
 * ```ts
 * const budget = new PostgresBudget(db, { budget: 1, windowMs: 30 * 86_400_000 });
 * await budget.charge('acme', 0.25); // committed, or BUDGET_EXCEEDED with nothing spent
 * (await budget.status('acme')).remaining; // 0.75
 * ```
 */
export class PostgresBudget implements PrivacyBudget {
  readonly windowMs: number;
  readonly #db: Database;
  readonly #budget: (tokenId: string) => Epsilon;

  constructor(db: Database, options: BudgetLedgerOptions = {}) {
    const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
      throw new PsiError('POLICY_INVALID', `windowMs must be a positive integer, got ${String(windowMs)}`);
    }
    const given = options.budget ?? DEFAULT_BUDGET;
    if (typeof given !== 'function') toRational(given, 'budget');
    this.#budget = typeof given === 'function' ? given : () => given;
    this.windowMs = windowMs;
    this.#db = db;
  }

  /**
   * Spends `epsilon` of `tokenId`'s budget, or refuses with `BUDGET_EXCEEDED`
   * (nothing spent). `now` (ms) dates the charge; by default the database's clock.
   *
   * @example
   * ```ts
   * const status = await budget.charge('acme', 0.25);
   * ```
   */
  async charge(tokenId: string, epsilon: Epsilon, now?: number): Promise<BudgetStatus> {
    checkToken(tokenId);
    const micros = toMicros(toRational(epsilon), 'up');
    const limit = this.#limitOf(tokenId);
    const status = await inTransaction(this.#db, 'charging a privacy budget', async (client) => {
      // The lock first, in its own statement: the insert's snapshot then sees every charge committed before it.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BUDGET_LOCK_SPACE, tokenId]);
      const inserted = await client.query(
        `INSERT INTO budget_charges (token_id, at, micros)
         SELECT $1::text, ${AT}, $3::bigint
         WHERE (SELECT coalesce(sum(micros), 0) FROM budget_charges
                WHERE token_id = $1::text AND at > ${AT} - make_interval(secs => $4::double precision / 1000)) + $3::bigint <= $5::bigint`,
        [tokenId, now ?? null, micros, this.windowMs, limit],
      );
      return { charged: inserted.rowCount === 1, status: await this.#read(client, tokenId, now, limit) };
    });
    if (!status.charged) {
      const s = status.status;
      const expiry = s.nextExpiry === null ? '' : `; the oldest charge stops counting at ${new Date(s.nextExpiry).toISOString()}`;
      throw new PsiError(
        'BUDGET_EXCEEDED',
        `privacy budget of '${tokenId}' spent: ${s.spent} of ${s.budget} used in the window, ${micros / MICROS_PER_UNIT} more requested${expiry}`,
      );
    }
    return status.status;
  }

  /**
   * Settles a session's charges (`epsilon` in all) once its figures were released
   * with noise keyed on `seed`, as `BudgetLedger.settle` does, in one transaction
   * under the token's lock: a live charge with the same seed gives back the newest
   * unsettled charges worth `epsilon` (resolves `true`); otherwise the newest
   * unsettled charge records the seed (`false`).
   *
   * @example
   * ```ts
   * await budget.settle('acme', seedHex, 0.25);
   * ```
   */
  async settle(tokenId: string, seed: string, epsilon: Epsilon, now?: number): Promise<boolean> {
    checkToken(tokenId);
    if (!/^[0-9a-f]{64}$/.test(seed)) throw new PsiError('OPTIONS_INVALID', 'a release seed is 64 lowercase hex digits');
    const micros = toMicros(toRational(epsilon), 'up');
    return await inTransaction(this.#db, 'settling a privacy budget', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BUDGET_LOCK_SPACE, tokenId]);
      const window = `token_id = $1::text AND at > ${AT} - make_interval(secs => $3::double precision / 1000)`;
      const live = await client.query<{ id: string; micros: string; seed: string | null }>(
        `SELECT id::text, micros::text, seed FROM budget_charges WHERE ${window} ORDER BY at, id`,
        [tokenId, now ?? null, this.windowMs],
      );
      const releases = live.rows.map((r) => ({ id: r.id, epsilonMicros: Number(r.micros), ...(r.seed === null ? {} : { seed: r.seed }) }));
      const before = new Map(releases.map((r) => [r.id, r.seed]));
      const repeat = settleReleases(releases, seed, micros);
      const kept = new Set(releases.map((r) => r.id));
      for (const id of before.keys()) {
        if (!kept.has(id)) await client.query('DELETE FROM budget_charges WHERE id = $1::bigint', [id]);
      }
      for (const r of releases) {
        if (r.seed !== before.get(r.id)) await client.query('UPDATE budget_charges SET seed = $2 WHERE id = $1::bigint', [r.id, r.seed]);
      }
      return repeat;
    });
  }

  /**
   * Where `tokenId` stands (one query).
   *
   * @example
   * ```ts
   * (await budget.status('acme')).remaining; // 1 for a fresh token
   * ```
   */
  async status(tokenId: string, now?: number): Promise<BudgetStatus> {
    checkToken(tokenId);
    const limit = this.#limitOf(tokenId);
    return await inTransaction(this.#db, 'reading a privacy budget', (client) => this.#read(client, tokenId, now, limit));
  }

  #limitOf(tokenId: string): number {
    return toMicros(toRational(this.#budget(tokenId), 'budget'), 'down');
  }

  async #read(client: DatabaseClient, tokenId: string, now: number | undefined, budgetMicros: number): Promise<BudgetStatus> {
    const { rows } = await client.query<{ spent: string; oldest: Date | null }>(
      `SELECT coalesce(sum(micros), 0)::text AS spent, min(at) AS oldest FROM budget_charges
       WHERE token_id = $1::text AND at > ${AT} - make_interval(secs => $3::double precision / 1000)`,
      [tokenId, now ?? null, this.windowMs],
    );
    const spentMicros = Number(rows[0]!.spent);
    const oldest = rows[0]!.oldest;
    return budgetStatus(tokenId, spentMicros, budgetMicros, oldest === null ? null : oldest.getTime(), this.windowMs);
  }
}

function checkToken(tokenId: string): void {
  if (typeof tokenId !== 'string' || tokenId.length === 0) throw new PsiError('OPTIONS_INVALID', 'a token id must be a non-empty string');
}
