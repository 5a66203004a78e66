import { loadLibsodium } from '../libsodium.js';
import { packedCount } from '../packed.js';
import type { X25519Backend } from './backend.js';
import { composeBackend } from './compose.js';
import { X25519_ELEMENT_BYTES, X25519_KEY_BYTES } from './constants.js';
import { checkPeerElements, zeroResult } from './element.js';
import { loadWasmHashToU, type HashToU } from './wasm-hash.js';

/** The raw Emscripten exports this backend calls; untyped by the package. */
interface RawSodium {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _crypto_scalarmult(out: number, key: number, u: number): number;
}

/** Elements staged in WASM memory per copy in and out. */
const BATCH = 256;
const E = X25519_ELEMENT_BYTES;

/**
 * Calls libsodium's WASM `crypto_scalarmult` directly on one scratch area allocated
 * once, like the ristretto255 backend: no malloc, copy and free per call as the
 * wrappers do. The hash to group is the batched WebAssembly module's.
 */
function makeBackend(lib: RawSodium, hashToU: HashToU): X25519Backend {
  const keyPtr = lib._malloc(X25519_KEY_BYTES);
  const inPtr = lib._malloc(BATCH * E);
  const outPtr = lib._malloc(BATCH * E);

  /** X25519 of every u; `strict` (peer input) refuses a zero result instead of keeping it. */
  function ladder(elements: Uint8Array, key: Uint8Array, strict: boolean): Uint8Array {
    const n = strict ? checkPeerElements(elements) : packedCount(elements, E);
    const out = new Uint8Array(n * E);
    const heap = lib.HEAPU8;
    heap.set(key, keyPtr);
    try {
      for (let start = 0; start < n; start += BATCH) {
        const end = Math.min(n, start + BATCH);
        heap.set(elements.subarray(start * E, end * E), inPtr);
        for (let j = 0; j < end - start; j++) {
          // Clamps the key; returns -1 for a small-order u (RFC 7748 §6.1), maybe without writing the output.
          if (lib._crypto_scalarmult(outPtr + j * E, keyPtr, inPtr + j * E) !== 0) {
            if (strict) throw zeroResult(start + j);
            heap.fill(0, outPtr + j * E, outPtr + (j + 1) * E); // own u = 0 (the identity's hash): zeros
          }
        }
        out.set(heap.subarray(outPtr, outPtr + (end - start) * E), start * E);
      }
    } finally {
      heap.fill(0, keyPtr, keyPtr + X25519_KEY_BYTES);
    }
    return out;
  }

  return composeBackend('sodium', hashToU, ladder);
}

let loading: Promise<X25519Backend> | undefined;

/**
 * The x25519 backend on libsodium's WebAssembly build: runs in browsers and Node.
 * Loads once per thread; rejects with `PsiError('BACKEND_UNAVAILABLE')` when the
 * module cannot start.
 *
 * @example
 * ```ts
 * const backend = await loadX25519SodiumBackend();
 * ```
 */
export function loadX25519SodiumBackend(): Promise<X25519Backend> {
  loading ??= Promise.all([loadLibsodium<RawSodium>(), loadWasmHashToU()]).then(
    ([lib, hashToU]) => makeBackend(lib, hashToU),
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}
