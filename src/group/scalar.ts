import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';
import { SCALAR_BYTES } from './constants.js';

const ORDER = ristretto255.Point.Fn.ORDER;

/**
 * Draws a uniformly random non-zero scalar from the platform CSPRNG, as 32 bytes
 * little-endian. Reducing 64 random bytes keeps the bias below 2^-250. `random`
 * replaces the CSPRNG only where a test needs a reproducible transcript.
 *
 * @example
 * ```ts
 * const key = randomScalar(); // Uint8Array(32), secret: zeroize(key) when done
 * ```
 */
export function randomScalar(random: (length: number) => Uint8Array = randomBytes): Uint8Array {
  for (;;) {
    const wide = random(64);
    const s = bytesToNumberLE(wide) % ORDER;
    wide.fill(0);
    if (s !== 0n) return numberToBytesLE(s, SCALAR_BYTES);
  }
}

/**
 * Checks that `bytes` is a canonical non-zero scalar (32 bytes LE, below the group
 * order) and returns it as a bigint for the arithmetic backends.
 *
 * @example
 * ```ts
 * const s = scalarToBigint(randomScalar());
 * ```
 */
export function scalarToBigint(bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SCALAR_BYTES) {
    throw new PsiError('SCALAR_INVALID', `scalar must be ${SCALAR_BYTES} bytes`);
  }
  const s = bytesToNumberLE(bytes);
  if (s === 0n || s >= ORDER) throw new PsiError('SCALAR_INVALID', 'scalar must be in [1, order)');
  return s;
}

/**
 * Overwrites secret bytes in place. JS engines may keep copies (bigints, JIT
 * registers), so this narrows exposure rather than guaranteeing erasure.
 *
 * @example
 * ```ts
 * zeroize(key); // key is now all zeros
 * ```
 */
export function zeroize(bytes: Uint8Array): void {
  bytes.fill(0);
}
