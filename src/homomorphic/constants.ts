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

/** The name the protocol will negotiate for this scheme (group and encoding of the plaintext). */
export const HOMOMORPHIC_SCHEME = 'elgamal-exp-ristretto255';
