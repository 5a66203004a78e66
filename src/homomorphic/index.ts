/**
 * Additively homomorphic encryption for aggregates over an intersection (docs/measurement.md):
 * exponential ElGamal on ristretto255, over packed buffers like the group layer.
 * Browser-safe: the libsodium backend is imported lazily, nothing imports `node:`.
 * @module
 */
export type { HomomorphicBackend } from './backend.js';
export { sumBound, type SumBoundOptions } from './bounds.js';
export { createDecryptionTable, type DecryptionTable, type DecryptionTableOptions } from './bsgs.js';
export { ciphertextCount } from './ciphertext.js';
export { CIPHERTEXT_BYTES, HOMOMORPHIC_SCHEME } from './constants.js';
export { decryptValues, encryptValues, encryptValuesPublic, rerandomizeCiphertexts } from './elgamal.js';
export { generateKeyPair, publicKeyOf, type ElGamalKeyPair } from './keys.js';
export { loadHomomorphicBackend } from './load.js';
export { nobleHomomorphic } from './noble.js';
export { encodePlaintexts } from './plaintext.js';
export { randomNonces } from './scalars.js';
