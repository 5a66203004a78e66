import type { BlindingThreads } from '../group/threads.js';
import { acquirePool, defaultWorkers } from './registry.js';

/**
 * Node's worker threads as the group layer's {@link BlindingThreads}: a lease of
 * the shared pool of the suite, backend and size asked for (default every core).
 *
 * @example
 * ```ts
 * const blinder = await createBlinder({ key, threads: workerThreads }); // on worker threads, installed or not
 * ```
 */
export const workerThreads: BlindingThreads = {
  lease: (backend, size, group) => acquirePool(backend, size ?? defaultWorkers(), group),
};
