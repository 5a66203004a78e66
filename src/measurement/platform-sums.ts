import { ristretto255 } from '@noble/curves/ed25519.js';
import { PsiError } from '../errors.js';
import type { HomomorphicBackend } from '../homomorphic/backend.js';
import { encryptValuesPublic, rerandomizeCiphertexts } from '../homomorphic/elgamal.js';
import { yieldToEventLoop } from '../yield.js';

/** Ciphertexts added between two yields: about 0.3 s of libsodium work. */
const SUM_SLICE = 4096;

/**
 * Checks the advertiser's ElGamal public key before anything is encrypted under
 * it: a canonical ristretto255 encoding, not the identity (under which every
 * "encryption" would show m·G in the clear). `POINT_INVALID` otherwise.
 *
 * @example
 * ```ts
 * checkPublicKey(request.publicKey);
 * ```
 */
export function checkPublicKey(publicKey: Uint8Array): Uint8Array {
  let identity: boolean;
  try {
    identity = ristretto255.Point.fromBytes(publicKey).equals(ristretto255.Point.ZERO);
  } catch (e) {
    throw new PsiError('POINT_INVALID', 'the ElGamal public key is not a canonical ristretto255 encoding', { cause: e });
  }
  if (identity) throw new PsiError('POINT_INVALID', 'the ElGamal public key is the identity');
  return publicKey;
}

/**
 * What the platform returns for one encrypted column: the sum of the
 * ciphertexts at the matched positions of the advertiser's stream, plus an
 * encryption of `noise` under the advertiser's key, re-randomised. The bytes
 * depend on the matched rows only through the plaintext sum; every summed
 * ciphertext is strictly decoded (`CIPHERTEXT_INVALID`). Summed in slices with
 * the event loop free between them: 10^5 matches take seconds, and a service's
 * other sessions must not wait for them.
 *
 * @example
 * ```ts
 * const released = await sumMatched(he, column, positions, publicKey, noise, noiseBound); // 64 bytes
 * ```
 */
export async function sumMatched(
  he: HomomorphicBackend,
  ciphertexts: Uint8Array,
  positions: Uint32Array,
  publicKey: Uint8Array,
  noise: bigint,
  noiseBound: bigint,
): Promise<Uint8Array> {
  // An encryption of the noise is never empty, so no match still yields a randomised ciphertext.
  let total = encryptValuesPublic(he, [noise], publicKey, noiseBound);
  for (let at = 0; at < positions.length; at += SUM_SLICE) {
    if (at > 0) await yieldToEventLoop();
    total = he.add(total, he.sum(ciphertexts, positions.subarray(at, at + SUM_SLICE)));
  }
  return rerandomizeCiphertexts(he, total, publicKey);
}
