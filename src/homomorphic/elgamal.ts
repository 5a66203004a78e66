import type { HomomorphicBackend } from './backend.js';
import type { DecryptionTable } from './bsgs.js';
import { ciphertextCount } from './ciphertext.js';
import { encodePlaintexts } from './plaintext.js';
import { randomNonces } from './scalars.js';

/**
 * The advertiser's encryption of its value column: each value checked against `bound`,
 * fresh CSPRNG nonces (wiped afterwards), two fixed-base multiplications per value.
 *
 * @example
 * ```ts
 * const cts = encryptValues(he, [1999n, 250n], keys.secretKey, 1_000_000n); // 128 bytes
 * ```
 */
export function encryptValues(
  backend: HomomorphicBackend,
  values: ArrayLike<bigint | number>,
  secretKey: Uint8Array,
  bound: bigint,
): Uint8Array {
  const plaintexts = encodePlaintexts(values, bound);
  const nonces = randomNonces(values.length);
  try {
    return backend.encryptWithSecret(plaintexts, nonces, secretKey);
  } finally {
    nonces.fill(0);
    plaintexts.fill(0);
  }
}

/**
 * Encryption under a public key, for whoever lacks the secret (the platform's noise).
 *
 * @example
 * ```ts
 * const noisy = he.add(sum, encryptValuesPublic(he, [noise], keys.publicKey, noiseBound));
 * ```
 */
export function encryptValuesPublic(
  backend: HomomorphicBackend,
  values: ArrayLike<bigint | number>,
  publicKey: Uint8Array,
  bound: bigint,
): Uint8Array {
  const plaintexts = encodePlaintexts(values, bound);
  const nonces = randomNonces(values.length);
  try {
    return backend.encryptWithPublic(plaintexts, nonces, publicKey);
  } finally {
    nonces.fill(0);
    plaintexts.fill(0);
  }
}

/**
 * Fresh randomness for every ciphertext (fresh CSPRNG nonces): what the platform does
 * last, so that the bytes it returns are unlinkable to anything the advertiser sent.
 *
 * @example
 * ```ts
 * const released = rerandomizeCiphertexts(he, noisySum, keys.publicKey);
 * ```
 */
export function rerandomizeCiphertexts(backend: HomomorphicBackend, ciphertexts: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const nonces = randomNonces(ciphertextCount(ciphertexts));
  try {
    return backend.rerandomize(ciphertexts, nonces, publicKey);
  } finally {
    nonces.fill(0);
  }
}

/**
 * The advertiser's decryption: m·G = c2 - s·c1 by the backend, then m by the table.
 * Throws `CIPHERTEXT_INVALID` for a malformed ciphertext and `SUM_OUT_OF_RANGE` when the
 * plaintext is outside [-table.bound, table.bound].
 *
 * @example
 * ```ts
 * const [total] = decryptValues(he, table, released, keys.secretKey); // e.g. 2249n
 * ```
 */
export function decryptValues(
  backend: HomomorphicBackend,
  table: DecryptionTable,
  ciphertexts: Uint8Array,
  secretKey: Uint8Array,
): bigint[] {
  return table.solveAll(backend.decryptToPoints(ciphertexts, secretKey));
}
