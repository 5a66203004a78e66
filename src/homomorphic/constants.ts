import { ELEMENT_BYTES } from '../group/constants.js';

/**
 * Bytes in one exponential ElGamal ciphertext: `c1 || c2`, two canonical ristretto255
 * encodings (RFC 9496 §4.3.2). n ciphertexts are n x 64 bytes in one `Uint8Array`.
 *
 * @example
 * ```ts
 * const packed = new Uint8Array(n * CIPHERTEXT_BYTES);
 * ```
 */
export const CIPHERTEXT_BYTES = 2 * ELEMENT_BYTES;

/**
 * The name the protocol will negotiate for this scheme: exponential ElGamal, plaintexts
 * as exponents of the ristretto255 generator, ciphertexts as {@link CIPHERTEXT_BYTES}.
 *
 * @example
 * ```ts
 * if (offer.scheme !== HOMOMORPHIC_SCHEME) throw new PsiError('MODE_MISMATCH', 'unknown scheme');
 * ```
 */
export const HOMOMORPHIC_SCHEME = 'elgamal-exp-ristretto255';
