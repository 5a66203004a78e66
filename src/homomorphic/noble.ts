import { ristretto255 } from '@noble/curves/ed25519.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { scalarToBigint } from '../group/scalar.js';
import type { HomomorphicBackend } from './backend.js';
import { ciphertextCount, invalidCiphertext } from './ciphertext.js';
import { CIPHERTEXT_BYTES } from './constants.js';
import { ORDER, scalarAt, scalarCount } from './scalars.js';

const { Point } = ristretto255;
type RistrettoPoint = InstanceType<typeof Point>;

/**
 * `k·G` by noble's precomputed fixed-base table (a 6-bit wNAF window table of the base
 * point, built lazily once per process), 2-3x faster than its variable-base multiplication.
 * `multiply` is constant-time and refuses 0; a zero plaintext is the identity.
 */
function baseMul(k: bigint): RistrettoPoint {
  return k === 0n ? Point.ZERO : Point.BASE.multiply(k);
}

function decodePart(packed: Uint8Array, i: number, part: 'c1' | 'c2'): RistrettoPoint {
  const at = i * CIPHERTEXT_BYTES + (part === 'c1' ? 0 : ELEMENT_BYTES);
  let point: RistrettoPoint;
  try {
    point = Point.fromBytes(packed.subarray(at, at + ELEMENT_BYTES));
  } catch (cause) {
    throw invalidCiphertext(i, part, 'is not a canonical ristretto255 encoding', cause);
  }
  if (part === 'c1' && point.is0()) throw invalidCiphertext(i, part, 'is the identity');
  return point;
}

function decodeCiphertext(packed: Uint8Array, i: number): [RistrettoPoint, RistrettoPoint] {
  return [decodePart(packed, i, 'c1'), decodePart(packed, i, 'c2')];
}

function decodePublicKey(publicKey: Uint8Array): RistrettoPoint {
  try {
    if (publicKey.length !== ELEMENT_BYTES) throw new Error('wrong length');
    const p = Point.fromBytes(publicKey);
    if (!p.is0()) return p;
  } catch (cause) {
    throw new PsiError('POINT_INVALID', 'public key is not a canonical ristretto255 encoding', { cause });
  }
  throw new PsiError('POINT_INVALID', 'public key is the identity');
}

function put(out: Uint8Array, i: number, c1: RistrettoPoint, c2: RistrettoPoint): void {
  out.set(c1.toBytes(), i * CIPHERTEXT_BYTES);
  out.set(c2.toBytes(), i * CIPHERTEXT_BYTES + ELEMENT_BYTES);
}

/**
 * The reference backend: @noble/curves, pure JS, runs everywhere; about 5x slower than
 * libsodium. The byte-level behaviour of every other backend is tested against it.
 *
 * @example
 * ```ts
 * const cts = nobleHomomorphic.encryptWithSecret(encodePlaintexts([42n], 1000n), randomNonces(1), secretKey);
 * ```
 */
export const nobleHomomorphic: HomomorphicBackend = {
  name: 'noble',
  encryptWithSecret(plaintexts, nonces, secretKey) {
    const s = scalarToBigint(secretKey);
    const n = scalarCount(plaintexts);
    scalarCount(nonces, n);
    const out = new Uint8Array(n * CIPHERTEXT_BYTES);
    for (let i = 0; i < n; i++) {
      const m = scalarAt(plaintexts, i, true, 'plaintext');
      const r = scalarAt(nonces, i, false, 'nonce');
      put(out, i, baseMul(r), baseMul((m + r * s) % ORDER));
    }
    return out;
  },
  encryptWithPublic(plaintexts, nonces, publicKey) {
    const P = decodePublicKey(publicKey);
    const n = scalarCount(plaintexts);
    scalarCount(nonces, n);
    const out = new Uint8Array(n * CIPHERTEXT_BYTES);
    for (let i = 0; i < n; i++) {
      const m = scalarAt(plaintexts, i, true, 'plaintext');
      const r = scalarAt(nonces, i, false, 'nonce');
      put(out, i, baseMul(r), baseMul(m).add(P.multiply(r)));
    }
    return out;
  },
  add(a, b) {
    const n = ciphertextCount(a);
    if (ciphertextCount(b) !== n) throw new PsiError('PACKED_LENGTH_INVALID', 'added buffers hold different numbers of ciphertexts');
    const out = new Uint8Array(n * CIPHERTEXT_BYTES);
    for (let i = 0; i < n; i++) {
      const [a1, a2] = decodeCiphertext(a, i);
      const [b1, b2] = decodeCiphertext(b, i);
      put(out, i, a1.add(b1), a2.add(b2));
    }
    return out;
  },
  sum(ciphertexts, rows) {
    const n = ciphertextCount(ciphertexts);
    const count = rows?.length ?? n;
    if (count === 0) throw new PsiError('OPTIONS_INVALID', 'cannot sum zero ciphertexts');
    // Rows first, so that a bad index is reported alike whatever the backend's batching.
    if (rows !== undefined) for (let k = 0; k < count; k++) rowAt(rows, k, n);
    // Projective additions; one encoding at the end.
    let c1 = Point.ZERO;
    let c2 = Point.ZERO;
    for (let k = 0; k < count; k++) {
      const i = rows === undefined ? k : rows[k]!;
      const [p1, p2] = decodeCiphertext(ciphertexts, i);
      c1 = c1.add(p1);
      c2 = c2.add(p2);
    }
    const out = new Uint8Array(CIPHERTEXT_BYTES);
    put(out, 0, c1, c2);
    return out;
  },
  addPlain(ciphertexts, plaintexts) {
    const n = ciphertextCount(ciphertexts);
    scalarCount(plaintexts, n);
    const out = new Uint8Array(n * CIPHERTEXT_BYTES);
    for (let i = 0; i < n; i++) {
      const [c1, c2] = decodeCiphertext(ciphertexts, i);
      put(out, i, c1, c2.add(baseMul(scalarAt(plaintexts, i, true, 'plaintext'))));
    }
    return out;
  },
  rerandomize(ciphertexts, nonces, publicKey) {
    const P = decodePublicKey(publicKey);
    const n = ciphertextCount(ciphertexts);
    scalarCount(nonces, n);
    const out = new Uint8Array(n * CIPHERTEXT_BYTES);
    for (let i = 0; i < n; i++) {
      const [c1, c2] = decodeCiphertext(ciphertexts, i);
      const r = scalarAt(nonces, i, false, 'nonce');
      put(out, i, c1.add(baseMul(r)), c2.add(P.multiply(r)));
    }
    return out;
  },
  decryptToPoints(ciphertexts, secretKey) {
    const s = scalarToBigint(secretKey);
    const n = ciphertextCount(ciphertexts);
    const out = new Uint8Array(n * ELEMENT_BYTES);
    for (let i = 0; i < n; i++) {
      const [c1, c2] = decodeCiphertext(ciphertexts, i);
      out.set(c2.subtract(c1.multiply(s)).toBytes(), i * ELEMENT_BYTES);
    }
    return out;
  },
  validate(ciphertexts) {
    const n = ciphertextCount(ciphertexts);
    for (let i = 0; i < n; i++) decodeCiphertext(ciphertexts, i);
  },
};

/**
 * Strict decoding of ciphertext i (`c1` canonical and not the identity, then `c2`
 * canonical), throwing the `CIPHERTEXT_INVALID` that every backend must throw alike.
 *
 * @example
 * ```ts
 * checkCiphertextAt(packed, 0);
 * ```
 */
export function checkCiphertextAt(packed: Uint8Array, i: number): void {
  decodeCiphertext(packed, i);
}

/**
 * Throws `POINT_INVALID` unless the public key is a canonical non-identity encoding.
 *
 * @example
 * ```ts
 * checkPublicKey(keys.publicKey);
 * ```
 */
export function checkPublicKey(publicKey: Uint8Array): void {
  decodePublicKey(publicKey);
}

/**
 * Row index k of `rows`, checked against the number of ciphertexts.
 *
 * @example
 * ```ts
 * rowAt(new Uint32Array([4]), 0, 5); // 4
 * ```
 */
export function rowAt(rows: Uint32Array, k: number, n: number): number {
  const i = rows[k]!;
  if (i >= n) throw new PsiError('OPTIONS_INVALID', `row ${i} is out of range (${n} ciphertexts)`);
  return i;
}
