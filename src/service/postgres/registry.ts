import { databaseError, type Database } from './database.js';

/**
 * The replica holding a session, as the registry names it.
 *
 * @example
 * ```ts
 * const holder: SessionHolder = { url: 'http://10.0.0.2:8080', tokenId: 'acme' };
 * ```
 */
export interface SessionHolder {
  /** The holder's advertised base URL. */
  readonly url: string;
  /** The token that started the session. */
  readonly tokenId: string;
}

/**
 * Which replica holds which session, in PostgreSQL: one row per session in
 * progress (session id, replica, token id, started, expires). A replica claims a
 * session when its HELLO arrives, before any work, and drops the row when the
 * session ends here; rows of expired sessions and of this replica's previous
 * life (a restart loses its sessions) are deleted by {@link start} and a sweep.
 *
 * @example
 * ```ts
 * const registry = new SessionRegistry(db, { ttlMs: 3_600_000 });
 * await registry.start('http://10.0.0.2:8080');
 * const other = await registry.claim(sessionId, 'acme'); // undefined: this replica holds it now
 * ```
 */
export class SessionRegistry {
  readonly #db: Database;
  readonly #ttlMs: number;
  readonly #log: (line: string) => void;
  #self = '';
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(db: Database, options: { ttlMs: number; log?: (line: string) => void }) {
    this.#db = db;
    this.#ttlMs = options.ttlMs;
    this.#log = options.log ?? (() => undefined);
  }

  /** This replica's advertised URL (set by {@link start}). */
  get self(): string {
    return this.#self;
  }

  /**
   * Names this replica, forgets the sessions of its previous life at that URL,
   * and sweeps expired rows now and every minute.
   *
   * @example
   * ```ts
   * await registry.start('http://127.0.0.1:8080');
   * ```
   */
  async start(self: string): Promise<void> {
    this.#self = self;
    try {
      await this.#db.query('DELETE FROM sessions WHERE replica = $1 OR expires_at < now()', [self]);
    } catch (e) {
      throw databaseError(e, 'clearing the session registry');
    }
    this.#timer = setInterval(() => {
      this.#db.query('DELETE FROM sessions WHERE expires_at < now()').catch(() => undefined);
    }, 60_000);
    this.#timer.unref();
  }

  /**
   * Claims `sessionId` for this replica, unless another replica holds it: then
   * resolves that holder (a retried HELLO that reached another replica).
   *
   * @example
   * ```ts
   * const holder = await registry.claim(id, token.id);
   * if (holder !== undefined) forwardTo(holder.url);
   * ```
   */
  async claim(sessionId: string, tokenId: string): Promise<SessionHolder | undefined> {
    try {
      const claimed = await this.#db.query(
        `INSERT INTO sessions (session_id, replica, token_id, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000))
         ON CONFLICT (session_id) DO UPDATE SET replica = EXCLUDED.replica, token_id = EXCLUDED.token_id,
           started_at = EXCLUDED.started_at, expires_at = EXCLUDED.expires_at
         WHERE sessions.replica = EXCLUDED.replica OR sessions.expires_at < now()`,
        [sessionId, this.#self, tokenId, this.#ttlMs],
      );
      if (claimed.rowCount === 1) return undefined;
      return await this.locate(sessionId);
    } catch (e) {
      throw databaseError(e, 'registering a session');
    }
  }

  /**
   * The replica holding `sessionId`, or undefined when none does or this one does.
   *
   * @example
   * ```ts
   * const holder = await registry.locate(id);
   * ```
   */
  async locate(sessionId: string): Promise<SessionHolder | undefined> {
    try {
      const { rows } = await this.#db.query<{ replica: string; token_id: string }>(
        'SELECT replica, token_id FROM sessions WHERE session_id = $1 AND expires_at >= now()',
        [sessionId],
      );
      const row = rows[0];
      return row === undefined || row.replica === this.#self ? undefined : { url: row.replica, tokenId: row.token_id };
    } catch (e) {
      throw databaseError(e, 'looking up a session');
    }
  }

  /**
   * Drops this replica's row of a session that ended here (in the background: a
   * row left behind expires).
   *
   * @example
   * ```ts
   * registry.release(id);
   * ```
   */
  release(sessionId: string): void {
    this.#db.query('DELETE FROM sessions WHERE session_id = $1 AND replica = $2', [sessionId, this.#self]).catch((e: unknown) => {
      this.#log(`cannot drop session ${sessionId} from the registry: ${(e as Error).message}`);
    });
  }

  /**
   * Drops the row of a session whose holder is gone.
   *
   * @example
   * ```ts
   * await registry.forget(id, holder);
   * ```
   */
  async forget(sessionId: string, holder: SessionHolder): Promise<void> {
    await this.#db.query('DELETE FROM sessions WHERE session_id = $1 AND replica = $2', [sessionId, holder.url]).catch(() => undefined);
  }

  /** Stops the sweep. */
  close(): void {
    clearInterval(this.#timer);
  }
}
