import { PsiError } from '../../errors.js';
import { packedCount } from '../packed.js';
import { X25519_ELEMENT_BYTES, X25519_UNIFORM_BYTES } from './constants.js';
import { HASH_TO_U_WASM_BASE64 } from './hash-to-u-wasm.js';

/**
 * The x25519 hash to group from packed 64-byte uniform strings to packed 32-byte
 * u-coordinates, the `fromUniform` of a backend.
 *
 * @example
 * ```ts
 * const hashToU: HashToU = await loadWasmHashToU();
 * const u = hashToU(expandMessages(items, X25519_HASH_DST));
 * ```
 */
export type HashToU = (uniform: Uint8Array) => Uint8Array;

/** The exports of wasm/x25519-hash/hash_to_u.c. */
interface HashExports {
  readonly memory: WebAssembly.Memory;
  input_ptr(): number;
  output_ptr(): number;
  batch_items(): number;
  hash_to_u(n: number): void;
}

const E = X25519_ELEMENT_BYTES;
const U = X25519_UNIFORM_BYTES;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Feeds the module one batch at a time; its memory never grows, so one view serves every call. */
function wrap(ex: HashExports): HashToU {
  const batch = ex.batch_items();
  const heap = new Uint8Array(ex.memory.buffer);
  const input = ex.input_ptr();
  const output = ex.output_ptr();
  return (uniform) => {
    const n = packedCount(uniform, U);
    const out = new Uint8Array(n * E);
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(n - start, batch);
      heap.set(uniform.subarray(start * U, (start + count) * U), input);
      ex.hash_to_u(count);
      out.set(heap.subarray(output, output + count * E), start * E);
    }
    // The last batch's hashes of identifiers and their points, which a dictionary could invert.
    heap.fill(0, input, input + batch * U);
    heap.fill(0, output, output + batch * E);
    return out;
  };
}

let loading: Promise<HashToU> | undefined;

/**
 * The x25519 hash to group of docs/x25519.md (two libsodium `from_uniform` maps,
 * their sum, its Montgomery u), byte for byte, computed in a small WebAssembly
 * module (wasm/x25519-hash/hash_to_u.c) on batches of 256 items: one
 * exponentiation per map and two batched inversions per batch, instead of the
 * dozen or so exponentiations and three boundary crossings per item of libsodium's
 * `from_uniform` + `add`. Every synchronous backend but noble hashes with it.
 * Loads once per thread; rejects with `PsiError('BACKEND_UNAVAILABLE')` where
 * WebAssembly is missing.
 *
 * @example
 * ```ts
 * const hashToU = await loadWasmHashToU();
 * const u = hashToU(new Uint8Array(64)); // 32 zero bytes: both maps give the identity
 * ```
 */
export function loadWasmHashToU(): Promise<HashToU> {
  loading ??= (async () => {
    try {
      const { instance } = await WebAssembly.instantiate(decodeBase64(HASH_TO_U_WASM_BASE64));
      return wrap(instance.exports as unknown as HashExports);
    } catch (cause) {
      loading = undefined;
      throw new PsiError('BACKEND_UNAVAILABLE', 'the x25519 hash module (WebAssembly) could not be loaded', { cause });
    }
  })();
  return loading;
}
