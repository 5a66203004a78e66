import { availableParallelism } from 'node:os';
import type { BackendName } from '../backend.js';
import { WorkerPool } from './worker-pool.js';

/**
 * A blinder's share of a pool: blinders asking for the same backend and thread
 * count share one pool (so two parties in one process use the same cores), and
 * the threads stop when the last lease is released.
 *
 * @example
 * ```ts
 * const lease = acquirePool('sodium', 2);
 * const keyId = lease.pool.register(key);
 * await lease.pool.unregister(keyId);
 * await lease.release();
 * ```
 */
export interface PoolLease {
  readonly pool: WorkerPool;
  /** Idempotent; the last release of a pool terminates its threads. */
  release(): Promise<void>;
}

const pools = new Map<string, { pool: WorkerPool; leases: number }>();

/**
 * Leases the shared pool of `size` threads running `backend`, creating it if needed.
 *
 * @example
 * ```ts
 * const { pool } = acquirePool('noble', 4);
 * ```
 */
export function acquirePool(backend: BackendName, size: number): PoolLease {
  const name = `${backend}/${size}`;
  let entry = pools.get(name);
  if (entry === undefined) {
    entry = { pool: new WorkerPool(backend, size), leases: 0 };
    pools.set(name, entry);
  }
  entry.leases++;
  const leased = entry;
  let released = false;
  return {
    pool: leased.pool,
    async release() {
      if (released) return;
      released = true;
      if (--leased.leases > 0) return;
      pools.delete(name);
      await leased.pool.terminate();
    },
  };
}

/**
 * Number of pools with running or startable threads; zero once every blinder is closed.
 *
 * @example
 * ```ts
 * await blinder.close();
 * openPools(); // 0
 * ```
 */
export function openPools(): number {
  return pools.size;
}

/**
 * The default thread count: every core the OS grants this process.
 *
 * @example
 * ```ts
 * defaultWorkers(); // 2 on a 2-core machine
 * ```
 */
export function defaultWorkers(): number {
  return availableParallelism();
}
