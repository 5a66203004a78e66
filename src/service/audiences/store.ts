import { PsiError } from '../../errors.js';
import { applyAudienceUpdate, type Audience, type AudienceEvent, type AudienceUpdate } from './model.js';
import type { AudienceChangeKind } from '../../wire/audience.js';

/**
 * Where audiences live: the service keeps one per token and name, updates it
 * after each session that names it, and deletes it on request or once not
 * refreshed within the retention. A file implementation writes under the
 * results directory (`fileAudienceStore`); another backend (PostgreSQL) implements
 * the same interface, or the smaller {@link AudienceRecords} under {@link RetainedAudiences}.
 *
 * @example
 * ```ts
 * const store: AudienceStore = new RetainedAudiences(memoryAudienceRecords(), { retentionMs: 540 * 86_400_000 });
 * await store.update('acme', 'Spring buyers', { mode: 'replace', columns: ['user_id'], users: [['u1']], released: null, sent: 1, at: Date.now() });
 * ```
 */
export interface AudienceStore {
  /** The audience, or `undefined` if absent or expired (an expired one is deleted now). */
  get(tokenId: string, name: string, now?: number): Promise<Audience | undefined>;
  /** Every live audience of the token, by name. */
  list(tokenId: string, now?: number): Promise<Audience[]>;
  /** Applies a finished session; a remove on an absent audience changes nothing (`undefined`). */
  update(tokenId: string, name: string, update: AudienceUpdate): Promise<AudienceEvent | undefined>;
  /** Deletes the audience; false if there was none. */
  delete(tokenId: string, name: string, now?: number): Promise<boolean>;
  /** Deletes every audience not refreshed within the retention; returns how many. */
  expire(now?: number): Promise<number>;
}

/**
 * One line of the append-only change log: counts, never a user id or a token.
 *
 * @example
 * ```ts
 * const line: AudienceLogEntry = { at, tokenId: 'acme', audience: 'Spring buyers', change: 'removed', users: 1180, count: 20, sent: 25 };
 * ```
 */
export interface AudienceLogEntry {
  at: string;
  tokenId: string;
  audience: string;
  change: AudienceChangeKind;
  users: number;
  count?: number;
  sent?: number;
}

/**
 * The persistence an audience store needs: whole audiences read, written
 * (atomically: a failed write leaves the old one) and removed, and a change log.
 *
 * @example
 * ```ts
 * const records: AudienceRecords = memoryAudienceRecords();
 * ```
 */
export interface AudienceRecords {
  load(tokenId: string, name: string): Promise<Audience | undefined>;
  save(audience: Audience): Promise<void>;
  remove(tokenId: string, name: string): Promise<void>;
  /** Names of the token's audiences. */
  names(tokenId: string): Promise<string[]>;
  /** Tokens with audiences. */
  tokens(): Promise<string[]>;
  log(entry: AudienceLogEntry): Promise<void>;
  /**
   * Optional: runs `fn` holding a lock on the audience that other processes
   * respect too (replicas sharing one database), around each read-change-write.
   */
  exclusive?<T>(tokenId: string, name: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * An {@link AudienceStore} over any {@link AudienceRecords}: one change at a
 * time per audience, expiry at `retentionMs` after the last update (checked on
 * every access and by {@link expire}), each change logged.
 *
 * @example
 * ```ts
 * const store = new RetainedAudiences(memoryAudienceRecords(), { retentionMs: 540 * 86_400_000 });
 * ```
 */
export class RetainedAudiences implements AudienceStore {
  readonly retentionMs: number;
  readonly #records: AudienceRecords;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(records: AudienceRecords, options: { retentionMs?: number } = {}) {
    const retentionMs = options.retentionMs ?? Number.POSITIVE_INFINITY;
    if (!(retentionMs > 0)) throw new PsiError('OPTIONS_INVALID', 'the audience retention must be a positive duration');
    this.#records = records;
    this.retentionMs = retentionMs;
  }

  get(tokenId: string, name: string, now = Date.now()): Promise<Audience | undefined> {
    return this.#exclusive(tokenId, name, () => this.#live(tokenId, name, now));
  }

  async list(tokenId: string, now = Date.now()): Promise<Audience[]> {
    const names = (await this.#records.names(tokenId)).sort();
    const all = await Promise.all(names.map((name) => this.get(tokenId, name, now)));
    return all.filter((a): a is Audience => a !== undefined);
  }

  update(tokenId: string, name: string, update: AudienceUpdate): Promise<AudienceEvent | undefined> {
    return this.#exclusive(tokenId, name, async () => {
      const old = await this.#live(tokenId, name, update.at);
      if (old === undefined && update.mode === 'remove') return undefined;
      const { audience, event } = applyAudienceUpdate(old, tokenId, name, update);
      await this.#records.save(audience);
      await this.#records.log({
        at: event.at,
        tokenId,
        audience: name,
        change: event.change,
        users: event.users,
        ...(event.count === undefined ? {} : { count: event.count }),
        ...(event.sent === undefined ? {} : { sent: event.sent }),
      });
      return event;
    });
  }

  delete(tokenId: string, name: string, now = Date.now()): Promise<boolean> {
    return this.#exclusive(tokenId, name, async () => {
      const old = await this.#live(tokenId, name, now);
      if (old === undefined) return false;
      await this.#drop(old, 'deleted', now);
      return true;
    });
  }

  async expire(now = Date.now()): Promise<number> {
    let expired = 0;
    let failure: Error | undefined;
    for (const tokenId of await this.#records.tokens()) {
      for (const name of await this.#records.names(tokenId)) {
        // One unreadable audience must not keep the others from expiring: the first failure is thrown at the end.
        const gone = await this.#exclusive(tokenId, name, async () => {
          const audience = await this.#records.load(tokenId, name);
          return audience !== undefined && (await this.#live(tokenId, name, now)) === undefined;
        }).catch((e: unknown) => {
          failure ??= e instanceof Error ? e : new PsiError('AUDIENCE_CORRUPT', String(e));
          return false;
        });
        if (gone) expired++;
      }
    }
    if (failure !== undefined) throw failure;
    return expired;
  }

  /** The audience unless it outlived the retention, in which case it is deleted and logged as expired. */
  async #live(tokenId: string, name: string, now: number): Promise<Audience | undefined> {
    const audience = await this.#records.load(tokenId, name);
    if (audience === undefined) return undefined;
    if (now - Date.parse(audience.updatedAt) < this.retentionMs) return audience;
    await this.#drop(audience, 'expired', now);
    return undefined;
  }

  async #drop(audience: Audience, change: 'deleted' | 'expired', now: number): Promise<void> {
    await this.#records.remove(audience.tokenId, audience.name);
    await this.#records.log({ at: new Date(now).toISOString(), tokenId: audience.tokenId, audience: audience.name, change, users: 0 });
  }

  /** Runs `fn` after every earlier change of the same audience. */
  #exclusive<T>(tokenId: string, name: string, fn: () => Promise<T>): Promise<T> {
    const key = JSON.stringify([tokenId, name]);
    const records = this.#records;
    // In this process one change at a time; across processes, the records' own lock when they have one.
    const locked = records.exclusive === undefined ? fn : () => records.exclusive!(tokenId, name, fn);
    const run = (this.#locks.get(key) ?? Promise.resolve()).then(locked, locked);
    const tail = run.catch(() => undefined);
    this.#locks.set(key, tail);
    void tail.then(() => {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    });
    return run;
  }
}

/**
 * {@link AudienceRecords} in memory (forgotten on restart), for tests and
 * embedded use; `entries` is its change log.
 *
 * @example
 * ```ts
 * const records = memoryAudienceRecords();
 * records.entries.length; // 0
 * ```
 */
export function memoryAudienceRecords(): AudienceRecords & { readonly entries: AudienceLogEntry[] } {
  const byToken = new Map<string, Map<string, Audience>>();
  const entries: AudienceLogEntry[] = [];
  const copy = (a: Audience): Audience => structuredClone(a);
  return {
    entries,
    load: async (tokenId, name) => {
      const found = byToken.get(tokenId)?.get(name);
      return found === undefined ? undefined : copy(found);
    },
    save: async (audience) => {
      const own = byToken.get(audience.tokenId) ?? new Map<string, Audience>();
      own.set(audience.name, copy(audience));
      byToken.set(audience.tokenId, own);
    },
    remove: async (tokenId, name) => {
      byToken.get(tokenId)?.delete(name);
    },
    names: async (tokenId) => [...(byToken.get(tokenId)?.keys() ?? [])],
    tokens: async () => [...byToken.keys()],
    log: async (entry) => {
      entries.push(entry);
    },
  };
}
