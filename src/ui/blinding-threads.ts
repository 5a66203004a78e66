import { isPsiErrorCode, PsiError } from '../errors.js';
import type { GroupName, SyncGroupBackend } from '../group/suite.js';
import type { WorkerSetup } from '../group/thread-messages.js';
import { ThreadPool, type PoolThread, type ThreadEvents } from '../group/thread-pool.js';
import type { BlindingLease, BlindingThreads } from '../group/threads.js';
import type { FromBlindingThread } from './blinding-thread.js';

/** Most blinding workers a page starts: beyond it the page's own worker and the browser compete for the rest. */
const MAX_WORKERS = 4;

/**
 * How many blinding workers a page starts for `hardwareConcurrency` logical
 * cores (`navigator.hardwareConcurrency`, undefined where a browser hides it):
 * one per core, at least 1 and at most 4.
 *
 * @example
 * ```ts
 * blindingWorkerCount(2); // 2
 * blindingWorkerCount(16); // 4
 * ```
 */
export function blindingWorkerCount(hardwareConcurrency: number | undefined): number {
  const cores = Number.isInteger(hardwareConcurrency) ? hardwareConcurrency! : 1;
  return Math.min(MAX_WORKERS, Math.max(1, cores));
}

/**
 * The part of a Web Worker a pool uses: a real `Worker`, or a fake in tests.
 *
 * @example
 * ```ts
 * const start = (): WorkerLike => new Worker(new URL('./blinding.js', import.meta.url), { type: 'module' });
 * ```
 */
export interface WorkerLike {
  postMessage(message: unknown, options: { transfer: Transferable[] }): void;
  addEventListener(type: 'message', listener: (event: { data: FromBlindingThread }) => void): void;
  addEventListener(type: 'messageerror', listener: () => void): void;
  addEventListener(type: 'error', listener: (event: { message: string; preventDefault(): void }) => void): void;
  terminate(): void;
}

/** A started Web Worker as a pool thread: its first message says which backend to load. */
function webThread(worker: WorkerLike, setup: WorkerSetup, events: ThreadEvents): PoolThread {
  const label = `${setup.group}/${setup.backend}`;
  worker.addEventListener('message', ({ data }) => {
    if ('failed' in data) {
      const { code, message } = data.failed;
      events.fail(new PsiError(isPsiErrorCode(code) ? code : 'WORKER_FAILED', `a ${label} blinding worker failed: ${message}`));
    } else events.message(data);
  });
  worker.addEventListener('messageerror', () =>
    events.fail(new PsiError('WORKER_FAILED', `a ${label} blinding worker sent a message that could not be read`)),
  );
  worker.addEventListener('error', (event) => {
    // Handled here: the failure is the pool's to report, not an uncaught error of this worker.
    event.preventDefault();
    events.fail(new PsiError('WORKER_FAILED', `a ${label} blinding worker failed: ${event.message || 'it could not be loaded'}`));
  });
  worker.postMessage(setup satisfies WorkerSetup, { transfer: [] });
  return {
    post: (msg, transfer) => worker.postMessage(msg, { transfer }),
    terminate: async () => worker.terminate(),
  };
}

/**
 * Web Workers as the group layer's {@link BlindingThreads}, with what the page
 * reports of them.
 *
 * @example
 * ```ts
 * const threads: WebBlindingThreads = webBlindingThreads(start, 2);
 * threads.size; // 2
 * ```
 */
export interface WebBlindingThreads extends BlindingThreads {
  /** Workers of a pool when a blinder asks for no number. */
  readonly size: number;
  /** Most workers of one pool that have answered a task so far: more than one means the work was spread. */
  threadsUsed(): number;
}

/**
 * Blinding threads over Web Workers made by `start` (module workers running
 * `blinding-worker.ts`), `size` to a pool by default. Blinders asking for the same
 * suite, backend and size share one pool, started on first use and kept between
 * matches (its workers hold no key once the blinders are closed); a pool a
 * worker's failure stopped is replaced by the next lease.
 *
 * @example
 * ```ts
 * installBlindingThreads(webBlindingThreads(() => new Worker(new URL('./blinding.js', import.meta.url), { type: 'module' }), 2));
 * ```
 */
export function webBlindingThreads(start: () => WorkerLike, size: number): WebBlindingThreads {
  const pools = new Map<string, ThreadPool>();
  function poolOf(backend: SyncGroupBackend['name'], threads: number, group: GroupName): ThreadPool {
    const name = `${group}/${backend}/${threads}`;
    const known = pools.get(name);
    if (known !== undefined && known.failed === undefined) return known;
    const pool = new ThreadPool(threads, (events) => webThread(start(), { group, backend }, events));
    pools.set(name, pool);
    return pool;
  }
  return {
    size,
    lease: (backend, threads, group): BlindingLease => ({ pool: poolOf(backend, threads ?? size, group), release: () => undefined }),
    threadsUsed: () => Math.max(0, ...[...pools.values()].map((pool) => pool.threadsUsed)),
  };
}
