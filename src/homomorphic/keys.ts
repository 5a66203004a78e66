import { ristretto255 } from '@noble/curves/ed25519.js';
import { randomScalar, scalarToBigint } from '../group/scalar.js';

/**
 * An ElGamal key pair. The secret key s stays with the advertiser (the only one who
 * decrypts, and here also the only one who encrypts data); the public key P = s·G lets
 * the platform add encrypted noise and re-randomise.
 *
 * @example
 * ```ts
 * const { secretKey, publicKey } = generateKeyPair();
 * ```
 */
export interface ElGamalKeyPair {
  /** 32-byte scalar in [1, ℓ); zeroise when done. */
  readonly secretKey: Uint8Array;
  /** 32-byte canonical ristretto255 encoding of s·G (RFC 9496 §4.3.2). */
  readonly publicKey: Uint8Array;
}

/**
 * The public key s·G of a secret key (SCALAR_INVALID unless s is in [1, ℓ)).
 *
 * @example
 * ```ts
 * publicKeyOf(keys.secretKey); // equals keys.publicKey
 * ```
 */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ristretto255.Point.BASE.multiply(scalarToBigint(secretKey)).toBytes();
}

/**
 * A fresh key pair from the platform CSPRNG.
 *
 * @example
 * ```ts
 * const keys = generateKeyPair();
 * // ... session ...
 * keys.secretKey.fill(0);
 * ```
 */
export function generateKeyPair(): ElGamalKeyPair {
  const secretKey = randomScalar();
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}
