import type { Released } from '../../wire/figure.js';
import { PsiError } from '../../errors.js';
import type { MatchedRow } from '../result.js';
import { checkAudienceName, parseAudienceMode, type AudienceTarget } from '../../wire/audience.js';
import type { AudienceStore } from './store.js';
import { audienceView } from './view.js';
import type { AudienceView } from '../../wire/audience.js';

/** How often live audiences are checked against the retention: hourly. */
const EXPIRY_INTERVAL_MS = 3_600_000;

/**
 * What a finished session brings to its audience.
 *
 * @example
 * ```ts
 * const session: AudienceSession = { rows, columns: ['user_id'], released, sent: 1000, at: Date.now() };
 * ```
 */
export interface AudienceSession {
  rows: readonly MatchedRow[];
  /** The `--emit` columns of the rows, or `undefined` for `value`. */
  columns: readonly string[] | undefined;
  released: Released | null;
  sent: number;
  at: number;
}

const cellsOf = (row: MatchedRow) => row.cells ?? [row.value];

/**
 * The service's side of audiences: checks a session's target before any
 * blinding, records what a finished session matched, and answers the
 * advertiser's `GET`/`DELETE` with {@link AudienceView}s (an audience of another
 * token is `AUDIENCE_NOT_FOUND`, exactly as an absent one).
 *
 * @example
 * ```ts
 * const audiences = new Audiences(store, { policy: true, minAudience: 100 });
 * await audiences.list('acme');
 * ```
 */
export class Audiences {
  readonly store: AudienceStore;
  readonly #policy: boolean;
  readonly #minAudience: number;
  readonly #settled: (tokenId: string) => Promise<void>;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * `opts.settled` resolves once the token's finished sessions have recorded
   * what they matched (they do after their answer): every read and delete
   * waits for it, so that a client reading its audience right after its
   * session sees it updated.
   */
  constructor(store: AudienceStore, opts: { policy: boolean; minAudience: number; settled?: (tokenId: string) => Promise<void> }) {
    this.store = store;
    this.#policy = opts.policy;
    this.#minAudience = opts.minAudience;
    this.#settled = opts.settled ?? (() => Promise.resolve());
  }

  /**
   * Checks a session's target (name and mode) before anything is charged or
   * blinded: a remove needs an audience to remove from.
   *
   * @example
   * ```ts
   * await audiences.check('acme', { name: 'Spring buyers', mode: 'remove' });
   * ```
   */
  async check(tokenId: string, target: AudienceTarget): Promise<AudienceTarget> {
    const checked = { name: checkAudienceName(target.name), mode: parseAudienceMode(target.mode) };
    if (checked.mode === 'remove') {
      // A remove right after the session that made the audience finds it.
      await this.#settled(tokenId);
      if ((await this.store.get(tokenId, checked.name)) === undefined) throw notFound(checked.name);
    }
    return checked;
  }

  /**
   * The matched rows a remove session may keep: those of the audience's
   * members (the service retains only which of them to drop).
   *
   * @example
   * ```ts
   * const kept = await audiences.members('acme', 'Spring buyers', rows);
   * ```
   */
  async members(tokenId: string, name: string, rows: readonly MatchedRow[]): Promise<MatchedRow[]> {
    const audience = await this.store.get(tokenId, name);
    const present = new Set(audience?.members.map((cells) => JSON.stringify(cells)) ?? []);
    return rows.filter((row) => present.has(JSON.stringify(cellsOf(row))));
  }

  /**
   * Applies a finished session to its audience.
   *
   * @example
   * ```ts
   * await audiences.record('acme', { name: 'Spring buyers', mode: 'add' }, session);
   * ```
   */
  async record(tokenId: string, target: AudienceTarget, session: AudienceSession): Promise<void> {
    await this.store.update(tokenId, target.name, {
      mode: target.mode,
      columns: [...(session.columns ?? ['value'])],
      users: session.rows.map(cellsOf),
      released: session.released,
      sent: session.sent,
      at: session.at,
    });
  }

  /**
   * The token's audiences, by name.
   *
   * @example
   * ```ts
   * const { length } = await audiences.list('acme');
   * ```
   */
  async list(tokenId: string): Promise<AudienceView[]> {
    await this.#settled(tokenId);
    return (await this.store.list(tokenId)).map((a) => audienceView(a, { policy: this.#policy, minAudience: this.#minAudience }));
  }

  /**
   * One audience of the token with its history, or `AUDIENCE_NOT_FOUND`.
   *
   * @example
   * ```ts
   * (await audiences.show('acme', 'Spring buyers')).usable;
   * ```
   */
  async show(tokenId: string, name: string): Promise<AudienceView> {
    const checked = checkAudienceName(name);
    await this.#settled(tokenId);
    const audience = await this.store.get(tokenId, checked);
    if (audience === undefined) throw notFound(name);
    return audienceView(audience, { policy: this.#policy, minAudience: this.#minAudience, history: true });
  }

  /**
   * Deletes one audience of the token, or `AUDIENCE_NOT_FOUND`.
   *
   * @example
   * ```ts
   * await audiences.delete('acme', 'Spring buyers');
   * ```
   */
  async delete(tokenId: string, name: string): Promise<void> {
    const checked = checkAudienceName(name);
    await this.#settled(tokenId);
    if (!(await this.store.delete(tokenId, checked))) throw notFound(name);
  }

  /**
   * Deletes expired audiences now and then hourly until {@link close};
   * `log` hears of each sweep that deleted some, and of failures.
   *
   * @example
   * ```ts
   * audiences.startExpiry((line) => console.error(line));
   * ```
   */
  startExpiry(log: (line: string) => void, intervalMs = EXPIRY_INTERVAL_MS): void {
    const sweep = () =>
      this.store.expire().then(
        (n) => n > 0 && log(`${n} audiences expired (not refreshed within the retention)`),
        (e: unknown) => log(`audience expiry failed: ${(e as Error).message}`),
      );
    void sweep();
    this.#timer = setInterval(() => void sweep(), intervalMs);
    this.#timer.unref();
  }

  /**
   * Stops the hourly expiry.
   *
   * @example
   * ```ts
   * audiences.close();
   * ```
   */
  close(): void {
    clearInterval(this.#timer);
  }
}

function notFound(name: string): PsiError {
  return new PsiError('AUDIENCE_NOT_FOUND', `no audience ${JSON.stringify(name)} (never created, deleted or expired)`);
}
