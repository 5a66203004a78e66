import { loadLibsodium } from '../group/libsodium.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES, SCALAR_BYTES } from '../group/constants.js';
import { scalarToBigint } from '../group/scalar.js';
import type { HomomorphicBackend } from './backend.js';
import { ciphertextCount, isIdentityAt } from './ciphertext.js';
import { CIPHERTEXT_BYTES } from './constants.js';
import { checkCiphertextAt, checkPublicKey, rowAt } from './noble.js';
import { scalarAt, scalarCount } from './scalars.js';

/** The raw Emscripten exports used here; untyped by the package. Each returns 0 or -1. */
interface RawSodium {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _crypto_core_ristretto255_is_valid_point(p: number): number;
  _crypto_core_ristretto255_add(r: number, p: number, q: number): number;
  _crypto_core_ristretto255_sub(r: number, p: number, q: number): number;
  _crypto_core_ristretto255_scalar_add(z: number, x: number, y: number): void;
  _crypto_core_ristretto255_scalar_mul(z: number, x: number, y: number): void;
  _crypto_scalarmult_ristretto255(q: number, n: number, p: number): number;
  _crypto_scalarmult_ristretto255_base(q: number, n: number): number;
}

/** Ciphertexts staged in WASM memory per copy, as src/group/sodium.ts does for elements. */
const BATCH = 256;
const E = ELEMENT_BYTES;
const C = CIPHERTEXT_BYTES;

/**
 * Something at index i failed inside libsodium (which only says -1) or a cheap JS check:
 * redo the checks of ciphertext inputs first, then of scalars, in the order noble's backend
 * makes them, so both backends throw the same error for the same input.
 */
function explain(i: number, ciphertexts: readonly Uint8Array[], scalars: readonly (() => unknown)[]): never {
  for (const c of ciphertexts) checkCiphertextAt(c, i);
  for (const check of scalars) check();
  throw new PsiError('INTERNAL', `libsodium refused input ${i} that the reference accepts`);
}

function makeSodiumHomomorphic(lib: RawSodium): HomomorphicBackend {
  const secretPtr = lib._malloc(SCALAR_BYTES);
  const pkPtr = lib._malloc(E);
  const tPtr = lib._malloc(SCALAR_BYTES);
  const u1 = lib._malloc(E);
  const u2 = lib._malloc(E);
  const aPtr = lib._malloc(BATCH * C);
  const bPtr = lib._malloc(BATCH * C);
  const mPtr = lib._malloc(BATCH * SCALAR_BYTES);
  const rPtr = lib._malloc(BATCH * SCALAR_BYTES);
  const outPtr = lib._malloc(BATCH * C);

  /**
   * Runs `each(i, j)` over n records in batches: copies each input's batch to its WASM
   * area, and the batch of `outWidth`-byte results back. Secret and nonce areas are
   * wiped afterwards, whatever happens.
   */
  function batched(
    n: number,
    inputs: readonly [Uint8Array, number, number][],
    outWidth: number,
    each: (i: number, j: number) => void,
  ): Uint8Array {
    const out = new Uint8Array(n * outWidth);
    // Memory only grows (and HEAPU8 only changes) in malloc, which the loop never calls.
    const heap = lib.HEAPU8;
    try {
      for (let start = 0; start < n; start += BATCH) {
        const end = Math.min(n, start + BATCH);
        for (const [buf, ptr, width] of inputs) heap.set(buf.subarray(start * width, end * width), ptr);
        for (let i = start; i < end; i++) each(i, i - start);
        out.set(heap.subarray(outPtr, outPtr + (end - start) * outWidth), start * outWidth);
      }
    } finally {
      heap.fill(0, secretPtr, secretPtr + SCALAR_BYTES);
      heap.fill(0, tPtr, tPtr + SCALAR_BYTES);
      // r·P is the mask of a plaintext: as secret as the nonce.
      heap.fill(0, u1, u1 + E);
      heap.fill(0, u2, u2 + E);
      heap.fill(0, mPtr, mPtr + BATCH * SCALAR_BYTES);
      heap.fill(0, rPtr, rPtr + BATCH * SCALAR_BYTES);
    }
    return out;
  }

  /** Checks the scalars in JS (canonical, nonces non-zero) the way the reference does. */
  const scalarsOk = (plaintexts: Uint8Array | undefined, nonces: Uint8Array | undefined, i: number) => {
    try {
      if (plaintexts !== undefined) scalarAt(plaintexts, i, true, 'plaintext');
      if (nonces !== undefined) scalarAt(nonces, i, false, 'nonce');
      return true;
    } catch {
      return false;
    }
  };
  const scalarChecks = (plaintexts: Uint8Array | undefined, nonces: Uint8Array | undefined, i: number) => [
    () => plaintexts !== undefined && scalarAt(plaintexts, i, true, 'plaintext'),
    () => nonces !== undefined && scalarAt(nonces, i, false, 'nonce'),
  ];

  function setPublicKey(publicKey: Uint8Array): void {
    checkPublicKey(publicKey);
    lib.HEAPU8.set(publicKey, pkPtr);
  }

  return {
    name: 'sodium',
    encryptWithSecret(plaintexts, nonces, secretKey) {
      scalarToBigint(secretKey);
      const n = scalarCount(plaintexts);
      scalarCount(nonces, n);
      lib.HEAPU8.set(secretKey, secretPtr);
      return batched(
        n,
        [
          [plaintexts, mPtr, SCALAR_BYTES],
          [nonces, rPtr, SCALAR_BYTES],
        ],
        C,
        (i, j) => {
          if (!scalarsOk(plaintexts, nonces, i)) explain(i, [], scalarChecks(plaintexts, nonces, i));
          const m = mPtr + j * SCALAR_BYTES;
          const r = rPtr + j * SCALAR_BYTES;
          const out = outPtr + j * C;
          lib._crypto_scalarmult_ristretto255_base(out, r);
          // t = m + r·s (mod ℓ), so that t·G = m·G + r·P: one fixed-base multiplication
          // instead of a variable-base r·P. A zero t gives -1 and the identity's encoding
          // (all zeros), which is what the reference writes too.
          lib._crypto_core_ristretto255_scalar_mul(tPtr, r, secretPtr);
          lib._crypto_core_ristretto255_scalar_add(tPtr, tPtr, m);
          lib._crypto_scalarmult_ristretto255_base(out + E, tPtr);
        },
      );
    },
    encryptWithPublic(plaintexts, nonces, publicKey) {
      setPublicKey(publicKey);
      const n = scalarCount(plaintexts);
      scalarCount(nonces, n);
      return batched(
        n,
        [
          [plaintexts, mPtr, SCALAR_BYTES],
          [nonces, rPtr, SCALAR_BYTES],
        ],
        C,
        (i, j) => {
          if (!scalarsOk(plaintexts, nonces, i)) explain(i, [], scalarChecks(plaintexts, nonces, i));
          const out = outPtr + j * C;
          lib._crypto_scalarmult_ristretto255_base(out, rPtr + j * SCALAR_BYTES);
          lib._crypto_scalarmult_ristretto255(u1, rPtr + j * SCALAR_BYTES, pkPtr);
          lib._crypto_scalarmult_ristretto255_base(u2, mPtr + j * SCALAR_BYTES);
          lib._crypto_core_ristretto255_add(out + E, u2, u1);
        },
      );
    },
    add(a, b) {
      const n = ciphertextCount(a);
      if (ciphertextCount(b) !== n) throw new PsiError('PACKED_LENGTH_INVALID', 'added buffers hold different numbers of ciphertexts');
      return batched(
        n,
        [
          [a, aPtr, C],
          [b, bPtr, C],
        ],
        C,
        (i, j) => {
          const x = aPtr + j * C;
          const y = bPtr + j * C;
          const out = outPtr + j * C;
          if (
            isIdentityAt(a, i * C) ||
            isIdentityAt(b, i * C) ||
            lib._crypto_core_ristretto255_add(out, x, y) !== 0 ||
            lib._crypto_core_ristretto255_add(out + E, x + E, y + E) !== 0
          ) {
            explain(i, [a, b], []);
          }
        },
      );
    },
    sum(ciphertexts, rows) {
      const n = ciphertextCount(ciphertexts);
      const count = rows?.length ?? n;
      if (count === 0) throw new PsiError('OPTIONS_INVALID', 'cannot sum zero ciphertexts');
      if (rows !== undefined) for (let k = 0; k < count; k++) rowAt(rows, k, n);
      const heap = lib.HEAPU8;
      // The accumulator starts at the identity pair (all zeros) and lives in outPtr; every
      // input then goes through libsodium's add, which decodes (validates) it.
      heap.fill(0, outPtr, outPtr + C);
      for (let start = 0; start < count; start += BATCH) {
        const end = Math.min(count, start + BATCH);
        if (rows === undefined) heap.set(ciphertexts.subarray(start * C, end * C), aPtr);
        else
          for (let k = start; k < end; k++) {
            const i = rows[k]!;
            heap.set(ciphertexts.subarray(i * C, (i + 1) * C), aPtr + (k - start) * C);
          }
        for (let k = start; k < end; k++) {
          const i = rows === undefined ? k : rows[k]!;
          const x = aPtr + (k - start) * C;
          if (
            isIdentityAt(ciphertexts, i * C) ||
            lib._crypto_core_ristretto255_add(outPtr, outPtr, x) !== 0 ||
            lib._crypto_core_ristretto255_add(outPtr + E, outPtr + E, x + E) !== 0
          ) {
            explain(i, [ciphertexts], []);
          }
        }
      }
      return heap.slice(outPtr, outPtr + C);
    },
    addPlain(ciphertexts, plaintexts) {
      const n = ciphertextCount(ciphertexts);
      scalarCount(plaintexts, n);
      return batched(
        n,
        [
          [ciphertexts, aPtr, C],
          [plaintexts, mPtr, SCALAR_BYTES],
        ],
        C,
        (i, j) => {
          const x = aPtr + j * C;
          const out = outPtr + j * C;
          if (
            isIdentityAt(ciphertexts, i * C) ||
            lib._crypto_core_ristretto255_is_valid_point(x) !== 1 ||
            !scalarsOk(plaintexts, undefined, i)
          ) {
            explain(i, [ciphertexts], scalarChecks(plaintexts, undefined, i));
          }
          lib.HEAPU8.copyWithin(out, x, x + E);
          lib._crypto_scalarmult_ristretto255_base(u1, mPtr + j * SCALAR_BYTES);
          if (lib._crypto_core_ristretto255_add(out + E, x + E, u1) !== 0) explain(i, [ciphertexts], []);
        },
      );
    },
    rerandomize(ciphertexts, nonces, publicKey) {
      setPublicKey(publicKey);
      const n = ciphertextCount(ciphertexts);
      scalarCount(nonces, n);
      return batched(
        n,
        [
          [ciphertexts, aPtr, C],
          [nonces, rPtr, SCALAR_BYTES],
        ],
        C,
        (i, j) => {
          const x = aPtr + j * C;
          const r = rPtr + j * SCALAR_BYTES;
          const out = outPtr + j * C;
          if (isIdentityAt(ciphertexts, i * C) || !scalarsOk(undefined, nonces, i)) {
            explain(i, [ciphertexts], scalarChecks(undefined, nonces, i));
          }
          // Adds the encryption of 0 with nonce r: (r·G, r·P).
          lib._crypto_scalarmult_ristretto255_base(u1, r);
          lib._crypto_scalarmult_ristretto255(u2, r, pkPtr);
          if (lib._crypto_core_ristretto255_add(out, x, u1) !== 0 || lib._crypto_core_ristretto255_add(out + E, x + E, u2) !== 0) {
            explain(i, [ciphertexts], []);
          }
        },
      );
    },
    decryptToPoints(ciphertexts, secretKey) {
      scalarToBigint(secretKey);
      const n = ciphertextCount(ciphertexts);
      lib.HEAPU8.set(secretKey, secretPtr);
      return batched(n, [[ciphertexts, aPtr, C]], E, (i, j) => {
        const x = aPtr + j * C;
        // scalarmult refuses a non-canonical c1 and an identity result, which with s in
        // [1, ℓ) means an identity c1; sub refuses a non-canonical c2.
        if (
          lib._crypto_scalarmult_ristretto255(u1, secretPtr, x) !== 0 ||
          lib._crypto_core_ristretto255_sub(outPtr + j * E, x + E, u1) !== 0
        ) {
          explain(i, [ciphertexts], []);
        }
      });
    },
    validate(ciphertexts) {
      const n = ciphertextCount(ciphertexts);
      batched(n, [[ciphertexts, aPtr, C]], 0, (i, j) => {
        const x = aPtr + j * C;
        if (
          isIdentityAt(ciphertexts, i * C) ||
          lib._crypto_core_ristretto255_is_valid_point(x) !== 1 ||
          lib._crypto_core_ristretto255_is_valid_point(x + E) !== 1
        ) {
          explain(i, [ciphertexts], []);
        }
      });
    },
  };
}

let loading: Promise<HomomorphicBackend> | undefined;

/**
 * The fast backend: libsodium (WebAssembly) with its fixed-base tables for `k·G`.
 * Loads once per thread; rejects with `PsiError('BACKEND_UNAVAILABLE')` when the WASM
 * module cannot start.
 *
 * @example
 * ```ts
 * const he = await loadSodiumHomomorphic();
 * const total = he.sum(ciphertexts);
 * ```
 */
export function loadSodiumHomomorphic(): Promise<HomomorphicBackend> {
  loading ??= loadLibsodium<RawSodium>().then(makeSodiumHomomorphic, (e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
