/**
 * The protocol between a thread pool (`thread-pool.ts`) and its blinding threads, the same on
 * Node's worker threads and a browser's Web Workers.
 * @module
 */

import type { GroupName, SyncGroupBackend } from './suite.js';
import type { ChunkOp } from './threads.js';

/**
 * What a blinding thread is started with: the suite and which of its synchronous
 * backends to load (x25519's WebCrypto is asynchronous and never runs in a thread).
 * Node hands it over as `workerData`, a browser as the worker's first message.
 *
 * @example
 * ```ts
 * new Worker(entry, { workerData: { group: 'x25519', backend: 'sodium-native' } satisfies WorkerSetup });
 * ```
 */
export interface WorkerSetup {
  group: GroupName;
  backend: SyncGroupBackend['name'];
}

/**
 * Pool to thread. Every request but `key` carries an `id` the worker
 * answers with; `key` needs no answer because a port delivers in order, so a
 * key always arrives before the tasks that use it.
 *
 * @example
 * ```ts
 * worker.postMessage({ type: 'task', id: 7, keyId: 1, op: 'blind', data } satisfies ToWorker, [data.buffer]);
 * ```
 */
export type ToWorker =
  | { type: 'key'; keyId: number; key: Uint8Array }
  | { type: 'drop'; id: number; keyId: number }
  | { type: 'task'; id: number; keyId: number; op: ChunkOp; data: Uint8Array }
  | { type: 'held'; id: number };

/**
 * Thread to pool: a task's output (transferred), an error, or a count of keys still held.
 *
 * @example
 * ```ts
 * port.postMessage({ id: 7, out } satisfies FromWorker, [out.buffer]);
 * ```
 */
export type FromWorker =
  { id: number; out: Uint8Array } | { id: number; error: { code: string; message: string } } | { id: number; held: number };
