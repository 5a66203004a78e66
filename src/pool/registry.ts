import { availableParallelism } from 'node:os';
import type { GroupName } from '../group/suite.js';
import type { BlindingLease } from '../group/threads.js';
import type { WorkerSetup } from '../group/thread-messages.js';
import { WorkerPool } from './worker-pool.js';

/**
 * A blinder's share of a pool: blinders asking for the same suite, backend and
 * thread count share one pool (so two parties in one process use the same cores).
 *
 * @example
 * ```ts
 * const lease = acquirePool('sodium', 2);
 * const keyId = lease.pool.register(key);
 * await lease.pool.unregister(keyId);
 * lease.release();
 * ```
 */
export interface PoolLease extends BlindingLease {
  readonly pool: WorkerPool;
  /** Idempotent. A pool left without leases holds no keys and stops after {@link IDLE_MS}. */
  release(): void;
}

/**
 * How long a pool without leases keeps its threads, so that back-to-back sessions
 * (a service, `blindSet` then a party) do not pay thread start-up each time.
 * Idle threads never keep the process alive.
 *
 * @example
 * ```ts
 * lease.release(); // the threads stop IDLE_MS later unless another blinder comes
 * ```
 */
export const IDLE_MS = 2000;

interface Entry {
  pool: WorkerPool;
  leases: number;
  idle: ReturnType<typeof setTimeout> | undefined;
}

const pools = new Map<string, Entry>();

function stop(name: string, entry: Entry): Promise<void> {
  clearTimeout(entry.idle);
  // A pool stopped early (terminatePools) may have been replaced under its name since.
  if (pools.get(name) === entry) pools.delete(name);
  return entry.pool.terminate();
}

/**
 * Leases the shared pool of `size` threads running `backend` of suite `group`
 * (default ristretto255), creating it if needed. Pools are keyed by all three: a
 * thread holds one loaded backend, and the suites' arithmetic differs.
 *
 * @example
 * ```ts
 * const { pool } = acquirePool('noble', 4);
 * const native = acquirePool('sodium-native', 2, 'x25519');
 * ```
 */
export function acquirePool(backend: WorkerSetup['backend'], size: number, group: GroupName = 'ristretto255'): PoolLease {
  const name = `${group}/${backend}/${size}`;
  let entry = pools.get(name);
  if (entry === undefined) {
    entry = { pool: new WorkerPool(backend, size, group), leases: 0, idle: undefined };
    pools.set(name, entry);
  }
  clearTimeout(entry.idle);
  entry.leases++;
  const leased = entry;
  let released = false;
  return {
    pool: leased.pool,
    release() {
      if (released) return;
      released = true;
      if (--leased.leases > 0) return;
      leased.idle = setTimeout(() => void stop(name, leased), IDLE_MS);
      leased.idle.unref();
    },
  };
}

/**
 * Counts the pools that blinders hold (`leased`) and those waiting out their idle time.
 *
 * @example
 * ```ts
 * await blinder.close();
 * poolStats(); // { leased: 0, idle: 1 }
 * ```
 */
export function poolStats(): { leased: number; idle: number } {
  let leased = 0;
  for (const entry of pools.values()) if (entry.leases > 0) leased++;
  return { leased, idle: pools.size - leased };
}

/**
 * Stops every pool without leases now instead of after {@link IDLE_MS}.
 *
 * @example
 * ```ts
 * await stopIdlePools(); // e.g. before measuring memory
 * ```
 */
export async function stopIdlePools(): Promise<void> {
  const idle = [...pools].filter(([, entry]) => entry.leases === 0);
  await Promise.all(idle.map(([name, entry]) => stop(name, entry)));
}

/**
 * Stops every pool now, leased or not: whatever is queued or running rejects
 * with `BLINDER_CLOSED`, and no thread keeps the process alive. For a process
 * that is shutting down (the CLI's `serve` on SIGTERM), never for a library
 * sharing the process with other work.
 *
 * @example
 * ```ts
 * await service.close();
 * await terminatePools(); // a set still being blinded for the next key epoch stops here
 * ```
 */
export async function terminatePools(): Promise<void> {
  await Promise.all([...pools].map(([name, entry]) => stop(name, entry)));
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
