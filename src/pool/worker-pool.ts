import type { Worker } from 'node:worker_threads';
import { PsiError } from '../errors.js';
import type { GroupName } from '../group/suite.js';
import type { FromWorker, WorkerSetup } from '../group/thread-messages.js';
import { ThreadPool, type PoolThread, type ThreadEvents } from '../group/thread-pool.js';
import { spawnWorker } from './spawn.js';

/** Node's worker thread as a pool thread: held open only while its pool awaits a reply. */
function nodeThread(worker: Worker, label: string, events: ThreadEvents): PoolThread {
  worker.on('message', (msg: FromWorker) => events.message(msg));
  worker.on('error', (cause) => events.fail(new PsiError('WORKER_FAILED', `a ${label} worker failed: ${cause.message}`, { cause })));
  worker.on('exit', (code) => events.fail(new PsiError('WORKER_FAILED', `a ${label} worker exited with code ${code}`)));
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    terminate: () => worker.terminate(),
    keepAlive: (busy) => (busy ? worker.ref() : worker.unref()),
  };
}

/**
 * A {@link ThreadPool} of Node worker threads, started on first use, running
 * `backend` of suite `group`. Threads do not keep the process alive while idle.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool('sodium', 2); // ristretto255; new WorkerPool('sodium-native', 2, 'x25519')
 * const keyId = pool.register(key);
 * const out = await pool.run('reblind', keyId, elements);
 * await pool.unregister(keyId);
 * await pool.terminate();
 * ```
 */
export class WorkerPool extends ThreadPool {
  constructor(
    readonly backend: WorkerSetup['backend'],
    size: number,
    readonly group: GroupName = 'ristretto255',
  ) {
    super(size, (events) => nodeThread(spawnWorker({ group, backend }), `${group}/${backend}`, events));
  }
}
