/**
 * The privacy budget of each token, persisted: epsilon spent per release summed
 * over a sliding window, and the daily item quota, in one JSON file: the
 * service's budget on a state directory (`service/postgres/budget.ts` keeps
 * the same in PostgreSQL, `disclosure/memory-budget.ts` in memory).
 *
 * The file is the budget. Losing a charge would hand an attacker fresh epsilon,
 * so: a charge is on disk (temp file, fsync, rename, directory fsync) before
 * `charge()` resolves; charges are serialised, so concurrent sessions cannot
 * both spend the last of a budget; a crash mid-write leaves the previous file
 * whole; and a file that is not a valid ledger stops the service with
 * `LEDGER_CORRUPT` instead of being replaced by an empty one.
 * @module
 */
import { open, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PsiError } from '../errors.js';
import { budgetStatus, type BudgetStatus } from '../disclosure/budget-status.js';
import { settleReleases } from '../disclosure/settle.js';
import { writeFileAtomic } from '../atomic-file.js';
import { MICROS_PER_UNIT, toMicros, toRational, type Epsilon } from '../disclosure/epsilon.js';
import { DEFAULT_BUDGET, DEFAULT_WINDOW_MS } from '../disclosure/policy.js';

const FORMAT = 'blindjoin-budget-ledger';
const VERSION = 1;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Options of {@link BudgetLedger.open}.
 *
 * @example
 * ```ts
 * const options: BudgetLedgerOptions = { budget: (id) => (id === 'acme' ? 2 : 1), windowMs: 30 * 86_400_000 };
 * ```
 */
export interface BudgetLedgerOptions {
  /** Epsilon each token may spend per window (default 1), or a function of the token id. */
  readonly budget?: Epsilon | ((tokenId: string) => Epsilon);
  /** Length of the sliding window in milliseconds (default 30 days). */
  readonly windowMs?: number;
}

interface Release {
  at: number;
  epsilonMicros: number;
  /** The release's seed once the session settled it (see {@link BudgetLedger.settle}). */
  seed?: string;
}

interface TokenState {
  releases: Release[];
  items?: { day: string; used: number };
}

/** Absolute paths with an open ledger in this process: two instances on one file would lose charges. */
const openPaths = new Set<string>();

/**
 * A per-token privacy budget kept in one JSON file.
 *
 * @example
 * ```ts
 * const ledger = await BudgetLedger.open('state/budget.json', { budget: 1 });
 * await ledger.charge('acme', 0.25);  // persisted before it resolves
 * // ... blind, match, release ...
 * await ledger.charge('acme', 0.25);  // throws PsiError('BUDGET_EXCEEDED') once 1 is spent within 30 days
 * await ledger.close();
 * ```
 */
export class BudgetLedger {
  readonly path: string;
  readonly windowMs: number;
  readonly #budget: (tokenId: string) => Epsilon;
  readonly #tokens: Map<string, TokenState>;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(path: string, windowMs: number, budget: (tokenId: string) => Epsilon, tokens: Map<string, TokenState>) {
    this.path = path;
    this.windowMs = windowMs;
    this.#budget = budget;
    this.#tokens = tokens;
  }

  /**
   * Loads the ledger at `path`, or creates it (writing it at once, so an
   * unwritable location fails at start rather than at the first release).
   * Throws `LEDGER_CORRUPT` for a file that is not a valid ledger (empty,
   * truncated, another format or version, bad entries) and never starts
   * afresh over it; `LEDGER_UNREADABLE` when it cannot be read.
   *
   * @example
   * ```ts
   * const ledger = await BudgetLedger.open('/var/lib/blindjoin/budget.json');
   * ```
   */
  static async open(path: string, options: BudgetLedgerOptions = {}): Promise<BudgetLedger> {
    const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
      throw new PsiError('POLICY_INVALID', `windowMs must be a positive integer, got ${String(windowMs)}`);
    }
    const given = options.budget ?? DEFAULT_BUDGET;
    const budget = typeof given === 'function' ? given : () => given;
    if (typeof given !== 'function') toRational(given, 'budget'); // fail at start, not at the first charge
    const absolute = resolve(path);
    if (openPaths.has(absolute)) throw new PsiError('OPTIONS_INVALID', `the budget ledger ${path} is already open in this process`);

    let text: string | undefined;
    try {
      text = await readFile(absolute, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new PsiError('LEDGER_UNREADABLE', `cannot read the budget ledger ${path}`, { cause: e });
      }
    }
    const tokens = text === undefined ? new Map<string, TokenState>() : parseLedger(text, path);
    openPaths.add(absolute);
    const ledger = new BudgetLedger(absolute, windowMs, budget, tokens);
    if (text === undefined) {
      try {
        await ledger.#persist();
      } catch (e) {
        openPaths.delete(absolute);
        throw e;
      }
    }
    return ledger;
  }

  /**
   * Spends `epsilon` of `tokenId`'s budget at time `now`, or refuses with
   * `BUDGET_EXCEEDED` (nothing spent) when the charges still in the window plus
   * this one would exceed the budget. Resolves only once the charge is on
   * disk: charge before any work. Nothing is given back on the strength of a
   * result (that would tell the client whether its matched set changed); only
   * {@link settle} gives back the charges of a byte-identical repeat, a fact
   * about the client's own bytes. Epsilon is rounded up to micro-units.
   *
   * If the file cannot be written the charge still counts in memory (an
   * error must never hand out budget) and `LEDGER_WRITE_FAILED` is thrown.
   *
   * @example
   * ```ts
   * const status = await ledger.charge('acme', 0.25);
   * status.remaining; // 0.75 with the default budget
   * ```
   */
  async charge(tokenId: string, epsilon: Epsilon, now: number = Date.now()): Promise<BudgetStatus> {
    checkToken(tokenId);
    checkTime(now);
    const micros = toMicros(toRational(epsilon), 'up');
    return await this.#exclusive(async () => {
      const state = this.#state(tokenId, now);
      const before = this.status(tokenId, now);
      if (before.spentMicros + micros > before.budgetMicros) {
        const expiry =
          before.nextExpiry === null ? '' : `; the oldest charge stops counting at ${new Date(before.nextExpiry).toISOString()}`;
        throw new PsiError(
          'BUDGET_EXCEEDED',
          `privacy budget of '${tokenId}' spent: ${fmt(before.spentMicros)} of ${fmt(before.budgetMicros)} used in the last ${days(this.windowMs)}, ${fmt(micros)} more requested${expiry}`,
        );
      }
      state.releases.push({ at: now, epsilonMicros: micros });
      this.#tokens.set(tokenId, state);
      await this.#persist();
      return this.status(tokenId, now);
    });
  }

  /**
   * Settles a session's charges of `epsilon` in all, made at its start, once its
   * figures are released with noise keyed on `seed` (hex): if a release of this
   * token still in the window had the same seed, the session repeated it byte
   * for byte and was answered with the same figures, so it learnt nothing new
   * and its charges are given back (resolves `true`); otherwise the seed is
   * recorded for later repeats (`false`). The decision depends only on what the
   * client sent and on the version of the platform's set, never on the match
   * (docs/privacy.md, "Free repeats").
   *
   * @example
   * ```ts
   * await ledger.charge('acme', 0.25);
   * await ledger.settle('acme', seedHex, 0.25); // false the first time, true for a byte-identical repeat
   * ```
   */
  async settle(tokenId: string, seed: string, epsilon: Epsilon, now: number = Date.now()): Promise<boolean> {
    checkToken(tokenId);
    checkTime(now);
    checkSeed(seed);
    const micros = toMicros(toRational(epsilon), 'up');
    return await this.#exclusive(async () => {
      const state = this.#state(tokenId, now);
      const repeat = settleReleases(state.releases, seed, micros);
      this.#tokens.set(tokenId, state);
      await this.#persist();
      return repeat;
    });
  }

  /**
   * Where `tokenId` stands at `now` (from memory; no I/O).
   *
   * @example
   * ```ts
   * ledger.status('acme').remaining; // 1 for a fresh token
   * ```
   */
  status(tokenId: string, now: number = Date.now()): BudgetStatus {
    checkToken(tokenId);
    const budgetMicros = toMicros(toRational(this.#budget(tokenId), 'budget'), 'down');
    const since = now - this.windowMs;
    let spentMicros = 0;
    let oldest: number | null = null;
    for (const r of this.#tokens.get(tokenId)?.releases ?? []) {
      // Charges dated after `now` (a clock stepped back) still count: err towards spent.
      if (r.at <= since) continue;
      spentMicros += r.epsilonMicros;
      if (oldest === null || r.at < oldest) oldest = r.at;
    }
    return budgetStatus(tokenId, spentMicros, budgetMicros, oldest, this.windowMs);
  }

  /**
   * The ids of every token the ledger holds charges or item counts of.
   *
   * @example
   * ```ts
   * ledger.tokenIds(); // ['acme', 'globex']
   * ```
   */
  tokenIds(): string[] {
    return [...this.#tokens.keys()].sort();
  }

  /**
   * Forgets every epsilon charge of `tokenId` (the operator's `budget reset`;
   * its item count for today stays) and resolves with its status before the
   * reset, once the ledger is on disk. The caller keeps the audit record.
   *
   * @example
   * ```ts
   * const before = await ledger.reset('acme');
   * before.spent; // what acme had spent in the window
   * ```
   */
  async reset(tokenId: string, now: number = Date.now()): Promise<BudgetStatus> {
    checkToken(tokenId);
    checkTime(now);
    return await this.#exclusive(async () => {
      const before = this.status(tokenId, now);
      const state = this.#tokens.get(tokenId);
      if (state !== undefined) {
        state.releases = [];
        await this.#persist();
      }
      return before;
    });
  }

  /**
   * Charges `items` to `tokenId`'s item quota for the UTC day of `now` if they
   * fit within `limit`; resolves whether they did, once persisted. The same
   * contract as `DailyQuota.charge`, surviving restarts.
   *
   * @example
   * ```ts
   * await ledger.chargeItems('acme', 10_000, 5_000_000); // true
   * ```
   */
  async chargeItems(tokenId: string, items: number, limit: number, now: number = Date.now()): Promise<boolean> {
    checkToken(tokenId);
    checkTime(now);
    checkCount(items, 'items');
    checkCount(limit, 'limit');
    return await this.#exclusive(async () => {
      const state = this.#state(tokenId, now);
      const day = utcDay(now);
      const used = state.items?.day === day ? state.items.used : 0;
      if (used + items > limit) return false;
      state.items = { day, used: used + items };
      this.#tokens.set(tokenId, state);
      await this.#persist();
      return true;
    });
  }

  /**
   * Gives back items charged today for work that was never done (a refused
   * or failed session). Items only: epsilon is never refunded.
   *
   * @example
   * ```ts
   * await ledger.refundItems('acme', 10_000);
   * ```
   */
  async refundItems(tokenId: string, items: number, now: number = Date.now()): Promise<void> {
    checkToken(tokenId);
    checkTime(now);
    checkCount(items, 'items');
    return await this.#exclusive(async () => {
      const state = this.#tokens.get(tokenId);
      if (state?.items?.day !== utcDay(now)) return;
      state.items = { day: state.items.day, used: Math.max(0, state.items.used - items) };
      await this.#persist();
    });
  }

  /**
   * Items charged to `tokenId` on the UTC day of `now`.
   *
   * @example
   * ```ts
   * ledger.itemsUsed('acme'); // 10000
   * ```
   */
  itemsUsed(tokenId: string, now: number = Date.now()): number {
    const items = this.#tokens.get(tokenId)?.items;
    return items?.day === utcDay(now) ? items.used : 0;
  }

  /**
   * Waits for pending writes and releases the file; later calls throw
   * `LEDGER_CLOSED`.
   *
   * @example
   * ```ts
   * await ledger.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail.catch(() => undefined);
    openPaths.delete(this.path);
  }

  /** Runs `fn` after every earlier charge has settled: one write at a time. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new PsiError('LEDGER_CLOSED', 'the budget ledger is closed'));
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** The token's state with releases that left the window dropped (a copy of the array). */
  #state(tokenId: string, now: number): TokenState {
    const state = this.#tokens.get(tokenId) ?? { releases: [] };
    const since = now - this.windowMs;
    state.releases = state.releases.filter((r) => r.at > since);
    return state;
  }

  async #persist(): Promise<void> {
    const tokens: Record<string, TokenState> = {};
    for (const [id, state] of this.#tokens) {
      if (state.releases.length === 0 && state.items === undefined) continue;
      // defineProperty: an id such as "__proto__" must stay an ordinary key.
      Object.defineProperty(tokens, id, { value: state, enumerable: true, configurable: true, writable: true });
    }
    const text = `${JSON.stringify({ format: FORMAT, version: VERSION, tokens })}\n`;
    try {
      await writeFileAtomic(this.path, text);
      await syncDirectory(dirname(this.path));
    } catch (e) {
      throw new PsiError('LEDGER_WRITE_FAILED', `cannot write the budget ledger ${this.path}`, { cause: e });
    }
  }
}

/**
 * Parses and checks a ledger file's text; anything unexpected is
 * `LEDGER_CORRUPT`, naming what is wrong.
 */
function parseLedger(text: string, path: string): Map<string, TokenState> {
  const corrupt = (why: string, cause?: unknown): PsiError =>
    new PsiError(
      'LEDGER_CORRUPT',
      `the budget ledger ${path} is corrupt (${why}); restore it from a backup or move it aside deliberately, since a new file grants every token a fresh budget`,
      cause === undefined ? undefined : { cause },
    );
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw corrupt('not JSON', e);
  }
  if (!isRecord(root) || !hasOnly(root, ['format', 'version', 'tokens'])) throw corrupt('not a ledger object');
  if (root['format'] !== FORMAT) throw corrupt(`format is not '${FORMAT}'`);
  if (root['version'] !== VERSION) throw corrupt(`unsupported version ${JSON.stringify(root['version'])}`);
  const tokens = root['tokens'];
  if (!isRecord(tokens)) throw corrupt('tokens is not an object');
  const out = new Map<string, TokenState>();
  for (const [id, value] of Object.entries(tokens)) {
    if (id.length === 0) throw corrupt('an empty token id');
    if (!isRecord(value) || !hasOnly(value, ['releases', 'items'])) throw corrupt(`token '${id}' is not an object of releases and items`);
    const releases = value['releases'];
    if (!Array.isArray(releases)) throw corrupt(`releases of '${id}' is not an array`);
    const state: TokenState = { releases: [] };
    for (const r of releases as unknown[]) {
      if (!isRecord(r) || !hasOnly(r, ['at', 'epsilonMicros', 'seed'])) throw corrupt(`a release of '${id}' is malformed`);
      const at = r['at'];
      const micros = r['epsilonMicros'];
      const seed = r['seed'];
      if (!isSafeInt(at) || at < 0) throw corrupt(`a release of '${id}' has a bad time`);
      if (!isSafeInt(micros) || micros < 1) throw corrupt(`a release of '${id}' has a bad epsilon`);
      if (seed !== undefined && (typeof seed !== 'string' || !SEED.test(seed))) throw corrupt(`a release of '${id}' has a bad seed`);
      state.releases.push({ at, epsilonMicros: micros, ...(seed === undefined ? {} : { seed }) });
    }
    const items = value['items'];
    if (items !== undefined) {
      if (!isRecord(items) || !hasOnly(items, ['day', 'used'])) throw corrupt(`items of '${id}' is malformed`);
      const day = items['day'];
      const used = items['used'];
      if (typeof day !== 'string' || !DAY.test(day)) throw corrupt(`items of '${id}' has a bad day`);
      if (!isSafeInt(used) || used < 0) throw corrupt(`items of '${id}' has a bad count`);
      state.items = { day, used };
    }
    out.set(id, state);
  }
  return out;
}

/** fsync of the directory makes the rename itself durable; not every platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return; // e.g. Windows cannot open a directory
  }
  try {
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR' && code !== 'ENOTSUP') throw e;
  } finally {
    await handle.close();
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOnly(o: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

function isSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

const SEED = /^[0-9a-f]{64}$/;

function checkSeed(seed: string): void {
  if (typeof seed !== 'string' || !SEED.test(seed)) throw new PsiError('OPTIONS_INVALID', 'a release seed is 64 lowercase hex digits');
}

function checkToken(tokenId: string): void {
  if (typeof tokenId !== 'string' || tokenId.length === 0) throw new PsiError('OPTIONS_INVALID', 'a token id must be a non-empty string');
}

function checkTime(now: number): void {
  if (!Number.isSafeInteger(now) || now < 0)
    throw new PsiError('OPTIONS_INVALID', `now must be milliseconds since the epoch, got ${String(now)}`);
}

function checkCount(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new PsiError('OPTIONS_INVALID', `${name} must be a non-negative integer, got ${String(n)}`);
}

function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

function fmt(micros: number): string {
  return String(micros / MICROS_PER_UNIT);
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return Number.isInteger(d) ? `${d} days` : `${ms} ms`;
}
