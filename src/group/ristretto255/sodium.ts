import { loadLibsodium } from '../libsodium.js';
import { PsiError } from '../../errors.js';
import type { Ristretto255Backend } from './backend.js';
import { ELEMENT_BYTES, SCALAR_BYTES, UNIFORM_BYTES } from '../constants.js';
import { packedCount } from '../packed.js';
import { scalarToBigint } from '../scalar.js';

/** The raw Emscripten exports behind libsodium-wrappers; untyped by the package. */
interface RawSodium {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _crypto_core_ristretto255_from_hash(out: number, uniform: number): number;
  _crypto_scalarmult_ristretto255(out: number, scalar: number, element: number): number;
}

/** Elements staged in WASM memory per copy: one copy in and out per batch, not per element. */
const BATCH = 256;

/**
 * Calls the WASM exports directly on one scratch area allocated once, instead of
 * the wrappers that malloc, copy and free around every single call.
 */
function makeSodiumBackend(lib: RawSodium): Ristretto255Backend {
  const scalarPtr = lib._malloc(SCALAR_BYTES);
  const inPtr = lib._malloc(BATCH * UNIFORM_BYTES);
  const midPtr = lib._malloc(BATCH * ELEMENT_BYTES);
  const outPtr = lib._malloc(BATCH * ELEMENT_BYTES);

  /** Runs `each(i)` for every element, staging `width`-byte inputs through the scratch area. */
  function batched(input: Uint8Array, width: number, scalar: Uint8Array | undefined, each: (i: number, slot: number) => void) {
    const n = packedCount(input, width);
    const out = new Uint8Array(n * ELEMENT_BYTES);
    // Memory only grows (and HEAPU8 only changes) in malloc, which the loop never calls.
    const heap = lib.HEAPU8;
    if (scalar !== undefined) heap.set(scalar, scalarPtr);
    try {
      for (let start = 0; start < n; start += BATCH) {
        const end = Math.min(n, start + BATCH);
        heap.set(input.subarray(start * width, end * width), inPtr);
        for (let i = start; i < end; i++) each(i, i - start);
        out.set(heap.subarray(outPtr, outPtr + (end - start) * ELEMENT_BYTES), start * ELEMENT_BYTES);
      }
    } finally {
      if (scalar !== undefined) heap.fill(0, scalarPtr, scalarPtr + SCALAR_BYTES);
    }
    return out;
  }

  return {
    name: 'sodium',
    fromUniform(uniform) {
      return batched(uniform, UNIFORM_BYTES, undefined, (_, j) => {
        lib._crypto_core_ristretto255_from_hash(outPtr + j * ELEMENT_BYTES, inPtr + j * UNIFORM_BYTES);
      });
    },
    blindUniform(uniform, scalar) {
      scalarToBigint(scalar);
      return batched(uniform, UNIFORM_BYTES, scalar, (_, j) => {
        const mid = midPtr + j * ELEMENT_BYTES;
        lib._crypto_core_ristretto255_from_hash(mid, inPtr + j * UNIFORM_BYTES);
        // Fails only if the derived element is the identity (probability ~2^-252); the
        // output is then all zeros, the identity's encoding, exactly what noble returns.
        lib._crypto_scalarmult_ristretto255(outPtr + j * ELEMENT_BYTES, scalarPtr, mid);
      });
    },
    multiply(elements, scalar) {
      scalarToBigint(scalar);
      return batched(elements, ELEMENT_BYTES, scalar, (i, j) => {
        const at = inPtr + j * ELEMENT_BYTES;
        // libsodium refuses a non-canonical encoding and an identity result; with a
        // scalar in [1, order) in a prime-order group, the latter means an identity input.
        if (lib._crypto_scalarmult_ristretto255(outPtr + j * ELEMENT_BYTES, scalarPtr, at) !== 0) {
          throw invalidElement(elements, i);
        }
      });
    },
  };
}

/** The same error noble's backend raises, so callers cannot tell the backends apart. */
function invalidElement(elements: Uint8Array, i: number): PsiError {
  const bytes = elements.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES);
  return bytes.every((b) => b === 0)
    ? new PsiError('POINT_INVALID', `element ${i} is the identity`)
    : new PsiError('POINT_INVALID', `element ${i} is not a canonical ristretto255 encoding`);
}

let loading: Promise<Ristretto255Backend> | undefined;

/**
 * The fast backend: libsodium (WebAssembly), about 4x noble's multiplications per
 * second. Loads once per thread; rejects with `PsiError('BACKEND_UNAVAILABLE')`
 * when the WASM module cannot start (e.g. no WebAssembly or no secure random source).
 *
 * @example
 * ```ts
 * const backend = await loadRistretto255SodiumBackend();
 * const blinded = backend.blindUniform(expandMessages(items, dst), key);
 * ```
 */
export function loadRistretto255SodiumBackend(): Promise<Ristretto255Backend> {
  loading ??= loadLibsodium<RawSodium>().then(makeSodiumBackend, (e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
