import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerSetup } from '../group/thread-messages.js';

/**
 * Starts a pool thread running `worker.js` next to this module: the built file in
 * `dist/`, or `worker.ts` when running TypeScript sources (vitest, tsx). Node 20
 * does not carry module hooks into workers, so for `.ts` the thread first loads
 * tsx's ESM API and imports the entry through it.
 *
 * @example
 * ```ts
 * const worker = spawnWorker({ backend: 'sodium' });
 * ```
 */
export function spawnWorker(setup: WorkerSetup): Worker {
  const built = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: setup });
  const source = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import(${tsx}).then((api) => api.tsImport(${source}, ${source}));`;
  return new Worker(boot, { eval: true, workerData: setup });
}
