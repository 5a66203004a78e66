import { integerIn } from '../validate.js';
import type { Blinder } from './blinder.js';
import { loadBackend, type BackendChoice } from './load.js';
import { chunkedBlinder } from './pool/chunked-blinder.js';
import { scalarToBigint } from './scalar.js';

/**
 * Options of {@link createBlinder}.
 *
 * @example
 * ```ts
 * const opts: BlinderOptions = { key: randomScalar(), backend: 'auto', workers: 2 };
 * ```
 */
export interface BlinderOptions {
  /** Secret scalar; the blinder takes ownership and zeroises it on close. */
  key: Uint8Array;
  /** Arithmetic backend; default `'auto'` (libsodium when it loads, else noble). */
  backend?: BackendChoice;
  /** Threads to compute on; default every core in Node. 1, or any value outside Node, computes inline. */
  workers?: number;
}

function inNode(): boolean {
  return typeof globalThis.process?.versions?.node === 'string';
}

/**
 * Binds a key to the fastest engine the options allow: the chosen backend on a
 * pool of worker threads shared with other blinders of the same backend and size,
 * or on the calling thread. Rejects a bad key with `SCALAR_INVALID`, a bad
 * `workers` with `OPTIONS_INVALID` and an unloadable backend with `BACKEND_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const blinder = await createBlinder({ key: randomScalar() });
 * const mine = await blinder.blind(expandMessages(items, dst));
 * await blinder.close();
 * ```
 */
export async function createBlinder(opts: BlinderOptions): Promise<Blinder> {
  const { key, workers } = opts;
  scalarToBigint(key);
  if (workers !== undefined) integerIn(workers, 'workers', 1, 1024);
  const backend = await loadBackend(opts.backend);
  if (workers === 1 || !inNode()) return chunkedBlinder(backend, key);
  // Loaded only here so that browser code never reaches node: modules.
  const { acquirePool, defaultWorkers } = await import('./pool/registry.js');
  const size = workers ?? defaultWorkers();
  return size === 1 ? chunkedBlinder(backend, key) : chunkedBlinder(backend, key, acquirePool(backend.name, size));
}
