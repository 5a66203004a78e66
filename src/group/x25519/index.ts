/**
 * The x25519 group suite: elements are Curve25519 u-coordinates, blinding is
 * X25519 (RFC 7748 §5), hash to group is two libsodium `from_uniform` maps, their
 * sum and its u-coordinate. See docs/x25519.md.
 * @module
 */
export type { AnyX25519Backend, X25519AsyncBackend, X25519Backend, X25519BackendName } from './backend.js';
export { x25519Blinder } from './blinder.js';
export { X25519_ELEMENT_BYTES, X25519_GROUP_NAME, X25519_KEY_BYTES, X25519_UNIFORM_BYTES } from './constants.js';
export { checkPeerElement, checkPeerElements } from './element.js';
export { fromUniformNoble } from './elligator.js';
export { checkX25519Key, randomX25519Key } from './key.js';
export { isSyncX25519Backend, loadX25519Backend, type X25519BackendChoice } from './load.js';
export { x25519NobleBackend } from './noble.js';
