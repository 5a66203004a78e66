/**
 * The ristretto255 group suite (RFC 9496): elements are canonical ristretto255
 * encodings, blinding is scalar multiplication, hash to group is the RFC's
 * element derivation from 64 uniform bytes. Backends: noble (reference) and
 * libsodium WebAssembly.
 * @module
 */
export type { Ristretto255Backend, Ristretto255BackendName } from './backend.js';
export { loadRistretto255Backend } from './load.js';
export { ristretto255NobleBackend } from './noble.js';
