/**
 * blindjoin's building blocks, for benchmarks, other protocols and tests: the
 * group (hash-to-group, blinding backends, worker pools), the join over packed
 * tokens and the wire format. Browser-safe. Most users want the session API of
 * the root entry instead.
 * @module
 */
export * from './group/index.js';
export * from './join/index.js';
export * from './wire/index.js';
export { HASH_TO_GROUP_DST, X25519_HASH_DST } from './protocol/version.js';
