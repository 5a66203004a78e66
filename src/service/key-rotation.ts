import { PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { blindSet, type BlindedSet } from '../protocol/blinded-set.js';
import type { StoredSet } from '../protocol/stored-set.js';
import type { OpenedStore } from '../store/reader.js';

/**
 * How long the service keeps one secret key: `'session'` draws a fresh key for
 * every session (nothing links two sessions), a number of milliseconds reuses
 * one precomputed blinded set, and so one key, for all sessions started within
 * that interval (each session then skips blinding the whole set).
 *
 * @example
 * ```ts
 * const hourly: KeyRotation = 60 * 60 * 1000;
 * ```
 */
export type KeyRotation = 'session' | number;

/**
 * The service's own items as a responder takes them: raw, or blinded ahead of time.
 *
 * @example
 * ```ts
 * const source: ResponderSource = { items: ['ann@example.com'] };
 * ```
 */
export type ResponderSource = { items: readonly (string | Uint8Array)[] } | { blindedSet: BlindedSet } | { storedSet: StoredSet };

/**
 * A source lent to one session; `release` when the session ends.
 *
 * @example
 * ```ts
 * const lease: ResponderLease = await sets.acquire();
 * try { ... } finally { lease.release(); }
 * ```
 */
export interface ResponderLease {
  source: ResponderSource;
  /** Names the key and set behind `source`: equal for two sessions iff they share both. */
  version: string;
  /** The store epoch behind a `storedSet` source: its row map names the matched rows. */
  store?: OpenedStore;
  release(): void;
}

/**
 * Lends each session the service's set under the current key, rotating the key
 * per {@link KeyRotation}. A retired set is destroyed (its key zeroised) once
 * the last session using it ends.
 *
 * @example
 * ```ts
 * const sets = createResponderSets(items, 3_600_000, {});
 * const lease = await sets.acquire();
 * // createParty({ role: 'responder', ...lease.source, learn, peerLearns })
 * lease.release();
 * ```
 */
export interface ResponderSets {
  acquire(): Promise<ResponderLease>;
  /** Retires the current key; sessions in progress keep theirs until they end. */
  close(): void;
}

interface Generation {
  set: Promise<BlindedSet>;
  createdAt: number;
  refs: number;
  retired: boolean;
}

/**
 * Creates the key-rotation policy of a service (see {@link ResponderSets}). Sets are
 * per suite: each generation is blinded in `opts.group` (default x25519), and a
 * session of that suite is the only one that can use it.
 *
 * @example
 * ```ts
 * const sets = createResponderSets(['a@example.com'], 'session', { group: 'x25519', workers: 1 });
 * ```
 */
export function createResponderSets(
  items: readonly (string | Uint8Array)[],
  rotation: KeyRotation,
  opts: { group?: GroupName | undefined; backend?: BackendChoice | undefined; workers?: number | undefined },
): ResponderSets {
  if (rotation === 'session') {
    let sessions = 0;
    return { acquire: async () => ({ source: { items }, version: `session-${++sessions}-${Date.now()}`, release() {} }), close() {} };
  }
  if (!Number.isFinite(rotation) || rotation <= 0) {
    throw new PsiError('OPTIONS_INVALID', `keyRotation must be 'session' or a positive number of milliseconds; got ${rotation}`);
  }
  const generation = (now: number): Generation => {
    const set = blindSet(items, opts);
    // A failed build is reported to the session that waits for it, not as an unhandled rejection.
    set.catch(() => undefined);
    return { set, createdAt: now, refs: 0, retired: false };
  };
  // Built at once, so that the first session does not wait for the whole set.
  let current: Generation | undefined = generation(Date.now());
  const dispose = (gen: Generation) => {
    if (gen.retired && gen.refs === 0)
      gen.set.then(
        (s) => s.destroy(),
        () => undefined,
      );
  };
  const retire = (gen: Generation | undefined) => {
    if (gen === undefined) return;
    gen.retired = true;
    dispose(gen);
  };
  return {
    async acquire() {
      const now = Date.now();
      if (current === undefined || now - current.createdAt >= rotation) {
        retire(current);
        current = generation(now);
      }
      const gen = current;
      gen.refs++;
      let set: BlindedSet;
      try {
        set = await gen.set;
      } catch (e) {
        gen.refs--;
        if (current === gen) current = undefined;
        throw e;
      }
      let released = false;
      return {
        source: { blindedSet: set },
        version: `key-${gen.createdAt}`,
        release() {
          if (released) return;
          released = true;
          gen.refs--;
          dispose(gen);
        },
      };
    },
    close() {
      retire(current);
      current = undefined;
    },
  };
}
