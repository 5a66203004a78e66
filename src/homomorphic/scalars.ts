import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';
import { SCALAR_BYTES } from '../group/constants.js';
import { packedCount } from '../group/packed.js';

/**
 * The order ℓ of ristretto255 (RFC 9496 §4.1); plaintexts and nonces live modulo ℓ.
 *
 * @example
 * ```ts
 * const encoded = v < 0n ? v + ORDER : v; // a signed plaintext as a scalar
 * ```
 */
export const ORDER = ristretto255.Point.Fn.ORDER;

/**
 * Scalar i of a packed buffer as a bigint, checked canonical (below ℓ) and, unless
 * `zeroOk`, non-zero. Both backends call it, so they refuse the same inputs alike.
 *
 * @example
 * ```ts
 * const r = scalarAt(nonces, 0, false, 'nonce'); // 1 <= r < ℓ
 * ```
 */
export function scalarAt(packed: Uint8Array, i: number, zeroOk: boolean, what: string): bigint {
  const s = bytesToNumberLE(packed.subarray(i * SCALAR_BYTES, (i + 1) * SCALAR_BYTES));
  if (s >= ORDER || (!zeroOk && s === 0n)) {
    throw new PsiError('SCALAR_INVALID', `${what} ${i} must be in [${zeroOk ? 0 : 1}, order)`);
  }
  return s;
}

/**
 * Number of scalars in `packed`, which must hold exactly `n` when `n` is given.
 *
 * @example
 * ```ts
 * scalarCount(nonces, ciphertexts.length / CIPHERTEXT_BYTES);
 * ```
 */
export function scalarCount(packed: Uint8Array, n?: number): number {
  const count = packedCount(packed, SCALAR_BYTES);
  if (n !== undefined && count !== n) {
    throw new PsiError('PACKED_LENGTH_INVALID', `expected ${n} scalars, got ${count}`);
  }
  return count;
}

/**
 * `n` independent uniform non-zero scalars (packed, n x 32 bytes) from the platform
 * CSPRNG: ElGamal nonces. Each reduces 64 random bytes, keeping the bias below 2^-250
 * (as `randomScalar` does). Secret: zeroise after use.
 *
 * @example
 * ```ts
 * const nonces = randomNonces(values.length);
 * const cts = backend.encryptWithSecret(plaintexts, nonces, secretKey);
 * nonces.fill(0);
 * ```
 */
export function randomNonces(n: number): Uint8Array {
  const out = new Uint8Array(n * SCALAR_BYTES);
  // CSPRNG calls of at most 64 KiB (what crypto.getRandomValues allows), wiped after reduction.
  const wide = new Uint8Array(64 * n);
  for (let at = 0; at < wide.length; at += 1 << 16) wide.set(randomBytes(Math.min(1 << 16, wide.length - at)), at);
  for (let i = 0; i < n; i++) {
    let s = bytesToNumberLE(wide.subarray(64 * i, 64 * (i + 1))) % ORDER;
    // Zero has probability 2^-252; redraw rather than bias.
    while (s === 0n) s = bytesToNumberLE(randomBytes(64)) % ORDER;
    out.set(numberToBytesLE(s, SCALAR_BYTES), i * SCALAR_BYTES);
  }
  wide.fill(0);
  return out;
}
