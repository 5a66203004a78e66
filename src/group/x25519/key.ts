import { randomBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../../errors.js';
import { X25519_KEY_BYTES } from './constants.js';
import { isZero32 } from './element.js';

/**
 * Checks an x25519 secret key: 32 bytes, not all zero. Every 32-byte string is a
 * valid X25519 scalar once clamped (RFC 7748 §5), but all zeros is what a key
 * becomes after `zeroize`: using it would blind under the public scalar 2^254.
 * Throws `PsiError('SCALAR_INVALID')`.
 *
 * @example
 * ```ts
 * checkX25519Key(randomX25519Key());
 * ```
 */
export function checkX25519Key(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== X25519_KEY_BYTES) {
    throw new PsiError('SCALAR_INVALID', `an x25519 key must be ${X25519_KEY_BYTES} bytes`);
  }
  if (isZero32(key, 0)) throw new PsiError('SCALAR_INVALID', 'an x25519 key must not be all zeros');
}

/**
 * Draws an x25519 secret key from the platform CSPRNG, already clamped (RFC 7748 §5:
 * bits 0-2 and 255 cleared, bit 254 set), so that the bytes are the multiplier
 * itself. Clamped, it is a multiple of the cofactor 8 in [2^254, 2^255), never a
 * multiple of the prime subgroup orders of the curve or the twist. `random`
 * replaces the CSPRNG only where a test needs a reproducible transcript; its
 * output is copied, clamped and then wiped.
 *
 * @example
 * ```ts
 * const key = randomX25519Key(); // secret: zeroize(key) when done
 * ```
 */
export function randomX25519Key(random: (length: number) => Uint8Array = randomBytes): Uint8Array {
  const drawn = random(X25519_KEY_BYTES);
  const key = drawn.slice(0, X25519_KEY_BYTES);
  drawn.fill(0);
  key[0] = key[0]! & 248;
  key[31] = (key[31]! & 127) | 64;
  return key;
}
