import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSetup } from '../group/thread-messages.js';
import { blindingThreadHandler, loadThreadBackend } from '../group/thread-serve.js';

// Entry point of a pool thread. Messages sent while the backend loads are buffered
// by the port until the listener below is attached; a backend that does not load
// fails the thread, and its pool with WORKER_FAILED.
const port = parentPort!;
const backend = await loadThreadBackend(workerData as WorkerSetup);
port.on(
  'message',
  blindingThreadHandler(backend, (msg, transfer) => port.postMessage(msg, transfer)),
);
