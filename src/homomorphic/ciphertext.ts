import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { packedCount } from '../group/packed.js';
import { CIPHERTEXT_BYTES } from './constants.js';

/**
 * Number of ciphertexts in a packed buffer (a multiple of 64 bytes, else
 * `PACKED_LENGTH_INVALID`: a truncated or padded message).
 *
 * @example
 * ```ts
 * ciphertextCount(new Uint8Array(128)); // 2
 * ```
 */
export function ciphertextCount(packed: Uint8Array): number {
  return packedCount(packed, CIPHERTEXT_BYTES);
}

/**
 * The error every backend raises for ciphertext i, so callers cannot tell backends apart.
 *
 * @example
 * ```ts
 * throw invalidCiphertext(3, 'c1', 'is the identity');
 * ```
 */
export function invalidCiphertext(i: number, part: 'c1' | 'c2', why: string, cause?: unknown): PsiError {
  return new PsiError('CIPHERTEXT_INVALID', `ciphertext ${i}: ${part} ${why}`, cause === undefined ? undefined : { cause });
}

/**
 * Whether the 32 bytes at `offset` are all zero: the identity's canonical encoding, the
 * only one (RFC 9496 §4.3.1 decoding accepts no other encoding of it).
 *
 * @example
 * ```ts
 * isIdentityAt(ciphertexts, i * CIPHERTEXT_BYTES); // c1 of ciphertext i
 * ```
 */
export function isIdentityAt(packed: Uint8Array, offset: number): boolean {
  for (let k = offset; k < offset + ELEMENT_BYTES; k++) if (packed[k] !== 0) return false;
  return true;
}
