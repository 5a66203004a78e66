import { integerIn } from '../validate.js';
import type { Blinder } from './blinder.js';
import type { BackendChoice } from './load.js';
import { chunkedBlinder } from './pool/chunked-blinder.js';
import { groupSuite, isSyncBackend, type GroupName } from './suite.js';
import { x25519Blinder } from './x25519/blinder.js';

/**
 * Options of {@link createBlinder}.
 *
 * @example
 * ```ts
 * const opts: BlinderOptions = { group: 'x25519', key: randomX25519Key(), backend: 'auto', workers: 2 };
 * ```
 */
export interface BlinderOptions {
  /** Secret key of the suite's format; the blinder takes ownership and zeroises it on close. */
  key: Uint8Array;
  /**
   * Group suite the key and the elements belong to; default `'ristretto255'`, this
   * primitive's historical default (sessions pass the suite they negotiated).
   */
  group?: GroupName;
  /** Arithmetic backend of the suite; default `'auto'` (the fastest that loads for the suite). */
  backend?: BackendChoice;
  /**
   * Worker threads to compute on; default every core in Node. In Node every call
   * but a tiny one runs on them, 1 included (one thread), so that blinding never
   * holds the event loop; outside Node (browsers) calls compute inline.
   */
  workers?: number;
}

function inNode(): boolean {
  return typeof globalThis.process?.versions?.node === 'string';
}

/**
 * Binds a key to the fastest engine the options allow: in Node, the suite's chosen
 * backend on a pool of worker threads shared with other blinders of the same suite,
 * backend and size (even of one thread: a service on one core must still answer
 * while it blinds); elsewhere, the calling thread. An asynchronous backend (x25519's
 * WebCrypto) always runs on the calling thread: the platform may spread its work
 * over threads of its own, and browsers have no pool. Rejects a bad key with
 * `SCALAR_INVALID`, a bad `group` or `workers` with `OPTIONS_INVALID`, an
 * unloadable backend (or one the suite lacks) with `BACKEND_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const blinder = await createBlinder({ group: 'x25519', key: randomX25519Key() });
 * const mine = await blinder.blind(expandMessages(items, X25519_HASH_DST));
 * await blinder.close();
 * ```
 */
export async function createBlinder(opts: BlinderOptions): Promise<Blinder> {
  const { key, workers } = opts;
  const suite = groupSuite(opts.group ?? 'ristretto255');
  suite.checkKey(key);
  if (workers !== undefined) integerIn(workers, 'workers', 1, 1024);
  const backend = await suite.loadBackend(opts.backend);
  if (!isSyncBackend(backend)) return x25519Blinder(backend, key);
  if (!inNode()) return chunkedBlinder(backend, key);
  // Loaded only here so that browser code never reaches node: modules.
  const { acquirePool, defaultWorkers } = await import('./pool/registry.js');
  return chunkedBlinder(backend, key, acquirePool(backend.name, workers ?? defaultWorkers(), suite.name));
}
