import { integerIn } from '../validate.js';
import type { Blinder } from './blinder.js';
import type { BackendChoice } from './load.js';
import { chunkedBlinder } from './chunked-blinder.js';
import { groupSuite, isSyncBackend, type GroupName, type GroupSuite } from './suite.js';
import { blindingThreads, type BlindingLease, type BlindingThreads } from './threads.js';
import { x25519Blinder } from './x25519/blinder.js';

/**
 * Options of {@link createBlinder}.
 *
 * @example
 * ```ts
 * const opts: BlinderOptions = { group: 'x25519', key: randomX25519Key(), backend: 'auto', workers: 2 };
 * ```
 */
export interface BlinderOptions {
  /** Secret key of the suite's format; the blinder takes ownership and zeroises it on close. */
  key: Uint8Array;
  /**
   * Group suite the key and the elements belong to; default `'ristretto255'`, this
   * primitive's historical default (sessions pass the suite they negotiated).
   */
  group?: GroupName | undefined;
  /** Arithmetic backend of the suite; default `'auto'` (the fastest that loads for the suite). */
  backend?: BackendChoice | undefined;
  /**
   * Threads to compute on; default every core. With threads every call but a tiny
   * one runs on them, 1 included (one thread), so that blinding never holds the
   * event loop; without (none installed or given) calls compute inline and this is not used.
   */
  workers?: number | undefined;
  /**
   * Where the threads come from; default those installed in the process
   * ({@link installBlindingThreads}: Node's worker pool once the service or
   * `src/pool/install.ts` is loaded), else none.
   */
  threads?: BlindingThreads;
}

/**
 * Binds a key to the fastest engine the options allow: with threads (Node's worker
 * pool, the page's Web Workers), the suite's chosen backend on a pool shared with other blinders of the
 * same suite, backend and size (even of one thread: a service on one core must
 * still answer while it blinds); without, the calling thread. An
 * asynchronous backend (x25519's WebCrypto) always runs on the calling thread: the
 * platform may spread its work over threads of its own. Rejects a bad key with
 * `SCALAR_INVALID`, a bad `group` or `workers` with `OPTIONS_INVALID`, an
 * unloadable backend (or one the suite lacks) with `BACKEND_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const blinder = await createBlinder({ group: 'x25519', key: randomX25519Key() });
 * const mine = await blinder.blind(expandMessages(items, X25519_HASH_DST));
 * await blinder.close();
 * ```
 */
export async function createBlinder(opts: BlinderOptions): Promise<Blinder> {
  const { key, workers } = opts;
  const { suite, backend, threads } = await engineOf(opts, (named) => named.checkKey(key));
  if (!isSyncBackend(backend)) return x25519Blinder(backend, key);
  if (threads === undefined) return chunkedBlinder(backend, key);
  return chunkedBlinder(backend, key, threads.lease(backend.name, workers, suite.name));
}

/** The suite, its loaded backend and the threads that options name, each checked (`checkKey` first, when given). */
async function engineOf(opts: Omit<BlinderOptions, 'key'>, checkKey?: (suite: GroupSuite) => void) {
  const suite = groupSuite(opts.group ?? 'ristretto255');
  checkKey?.(suite);
  if (opts.workers !== undefined) integerIn(opts.workers, 'workers', 1, 1024);
  const backend = await suite.loadBackend(opts.backend);
  return { suite, backend, threads: opts.threads ?? blindingThreads() };
}

/**
 * Starts the threads a blinder of these options would use, before its key
 * exists, and holds them (a {@link BlindingLease}) until released: a session
 * calls it first so that thread start-up overlaps preparing its items, a
 * service for its lifetime so that no session waits for threads that stopped
 * while idle. Resolves `undefined` where blinders would compute on the calling
 * thread (no threads, an asynchronous backend); rejects as {@link createBlinder} would.
 *
 * @example
 * ```ts
 * const threads = await warmBlindingThreads({ group: 'x25519' });
 * // … prepare the items, create the blinder: its calls find the threads running
 * threads?.release();
 * ```
 */
export async function warmBlindingThreads(opts: Omit<BlinderOptions, 'key'>): Promise<BlindingLease | undefined> {
  const { suite, backend, threads } = await engineOf(opts);
  if (!isSyncBackend(backend) || threads === undefined) return undefined;
  const lease = threads.lease(backend.name, opts.workers, suite.name);
  try {
    await lease.pool.warm?.();
  } catch (e) {
    lease.release();
    throw e;
  }
  return lease;
}
