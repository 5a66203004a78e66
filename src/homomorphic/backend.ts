import type { Ristretto255BackendName } from '../group/ristretto255/backend.js';

/**
 * Exponential ("lifted") ElGamal on ristretto255 over packed buffers: a plaintext m is
 * the exponent of `m·G`, so adding ciphertexts adds plaintexts. A ciphertext is
 * `c1 || c2 = r·G || m·G + r·P` with `P = s·G` the public key (64 bytes, see
 * {@link CIPHERTEXT_BYTES}). Scalars (plaintexts, nonces, the secret) are 32 bytes
 * little-endian, reduced below the group order; n of them are n x 32 bytes packed.
 *
 * Every backend returns byte-identical output for the same input, and rejects the same
 * untrusted ciphertexts with `PsiError('CIPHERTEXT_INVALID')`: a part that is not a
 * canonical encoding, or a `c1` that is the identity (a ciphertext that nobody
 * randomised, which would show `m·G` in the clear).
 *
 * Plaintexts are bounded and decrypted by {@link DecryptionTable}; this layer only does
 * group arithmetic and never sees a bound.
 *
 * @example
 * ```ts
 * const he = await loadHomomorphicBackend('auto');
 * const cts = he.encryptWithSecret(encodePlaintexts([5n, 7n], 100n), randomNonces(2), secretKey);
 * const total = he.sum(cts); // 64 bytes, an encryption of 12
 * ```
 */
export interface HomomorphicBackend {
  readonly name: Ristretto255BackendName;
  /**
   * The key holder's encryption: `c1 = r·G`, `c2 = (m + r·s)·G`. Since `r·P = (r·s)·G`,
   * knowing `s` turns the variable-base `r·P` into a fixed-base multiplication and merges
   * it with `m·G`: two fixed-base multiplications per value. `nonces` must be scalars
   * in [1, order) (`c1` would otherwise be the identity).
   */
  encryptWithSecret(plaintexts: Uint8Array, nonces: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Anyone's encryption under `publicKey` (e.g. the platform's noise): `c1 = r·G`, `c2 = m·G + r·P`. */
  encryptWithPublic(plaintexts: Uint8Array, nonces: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** Element-wise homomorphic addition of two equally long packed ciphertext buffers. */
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
  /**
   * One ciphertext (64 bytes) encrypting the sum of the plaintexts of `ciphertexts`, or of
   * the rows listed in `rows` only (indices, repeats allowed). An empty sum is rejected
   * (`OPTIONS_INVALID`): its only encoding would be the unrandomised identity pair.
   */
  sum(ciphertexts: Uint8Array, rows?: Uint32Array): Uint8Array;
  /** Adds the known plaintext `plaintexts[i]` to ciphertext i: `c2 + m·G`, `c1` unchanged. */
  addPlain(ciphertexts: Uint8Array, plaintexts: Uint8Array): Uint8Array;
  /**
   * Adds a fresh encryption of 0 under `publicKey` to each ciphertext: same plaintext,
   * bytes unlinkable to the input (for whoever lacks the secret key).
   */
  rerandomize(ciphertexts: Uint8Array, nonces: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** `c2 - s·c1 = m·G` for each ciphertext (n x 32 bytes); {@link DecryptionTable} finds m. */
  decryptToPoints(ciphertexts: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** Throws `CIPHERTEXT_INVALID` (naming the index) unless every ciphertext decodes strictly. */
  validate(ciphertexts: Uint8Array): void;
}
