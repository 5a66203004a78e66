import type { GroupName, SyncGroupBackend } from './suite.js';

/**
 * The two operations a thread runs on a packed chunk, named after the `Blinder` methods.
 *
 * @example
 * ```ts
 * const op: ChunkOp = 'reblind';
 * ```
 */
export type ChunkOp = 'blind' | 'reblind';

/**
 * Threads that hold registered keys and run chunk operations under them: what a
 * blinder spreads its work over. Node's worker pool (`src/pool/`) is one.
 *
 * @example
 * ```ts
 * const keyId = pool.register(key);
 * const out = await pool.run('reblind', keyId, elements);
 * await pool.unregister(keyId); // every thread zeroised its copy
 * ```
 */
export interface BlindingPool {
  /** Number of threads: a call is cut into a multiple of it. */
  readonly size: number;
  /** Sends `key` to every thread; returns its id. */
  register(key: Uint8Array): number;
  /** Resolves once every thread has zeroised and forgotten the key. */
  unregister(keyId: number): Promise<void>;
  /** Runs one operation on a chunk under a registered key. */
  run(op: ChunkOp, keyId: number, data: Uint8Array): Promise<Uint8Array>;
  /** Starts every thread now, resolving once each answers: the first call then pays no start-up. */
  warm?(): Promise<void>;
}

/**
 * A blinder's share of a {@link BlindingPool}, released when the blinder closes.
 *
 * @example
 * ```ts
 * const lease = threads.lease('sodium', 2, 'ristretto255');
 * lease.pool.size; // 2
 * lease.release();
 * ```
 */
export interface BlindingLease {
  readonly pool: BlindingPool;
  /** Idempotent. */
  release(): void;
}

/**
 * Where blinders find threads: leases a pool of `size` threads (`undefined`: as
 * many as the platform grants) running `backend` of suite `group`.
 *
 * @example
 * ```ts
 * const threads: BlindingThreads = { lease: (backend, size, group) => acquirePool(backend, size ?? 2, group) };
 * ```
 */
export interface BlindingThreads {
  lease(backend: SyncGroupBackend['name'], size: number | undefined, group: GroupName): BlindingLease;
}

let installed: BlindingThreads | undefined;

/**
 * Makes `threads` the default of every blinder created after it in this
 * process (`undefined`: none, blinders compute on the calling thread). The
 * group layer runs in browsers and starts no threads of its own: Node's side
 * installs its worker pool (`src/pool/install.ts`, imported by the service), the
 * advertiser's page its Web Workers (`src/ui/worker.ts`); both run a
 * `ThreadPool` (`thread-pool.ts`).
 *
 * @example
 * ```ts
 * installBlindingThreads(workerThreads);
 * await createBlinder({ key }); // spreads its calls over worker threads
 * ```
 */
export function installBlindingThreads(threads: BlindingThreads | undefined): void {
  installed = threads;
}

/**
 * The threads blinders use by default: those last installed, if any.
 *
 * @example
 * ```ts
 * blindingThreads() === undefined; // through the browser root (src/core.ts) alone: blinders compute inline
 * ```
 */
export function blindingThreads(): BlindingThreads | undefined {
  return installed;
}
