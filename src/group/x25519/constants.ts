/**
 * Sizes and names of the x25519 suite. Elements are Montgomery u-coordinates of
 * Curve25519 (RFC 7748 §5), and the byte sizes match the ristretto255 suite's, so
 * packed buffers, chunking and the wire keep their shape.
 * @module
 */

/** Name of the suite in the handshake's group field. */
export const X25519_GROUP_NAME = 'x25519';

/** Bytes of one element: a canonical little-endian u-coordinate below p (RFC 7748 §5). */
export const X25519_ELEMENT_BYTES = 32;

/** Bytes of one secret key: any 32 bytes but all zeros, clamped at use (RFC 7748 §5 decodeScalar25519). */
export const X25519_KEY_BYTES = 32;

/** Uniform bytes per message fed to the map: two 32-byte `from_uniform` inputs. */
export const X25519_UNIFORM_BYTES = 64;

/** The field prime p = 2^255 - 19 (RFC 7748 §4.1). */
export const P = 2n ** 255n - 19n;

/** The Montgomery coefficient A of Curve25519, v^2 = u^3 + A u^2 + u (RFC 7748 §4.1). */
export const A = 486662n;

/** The low 255 bits: what remains of a 32-byte field encoding once bit 255 (a sign) is set aside. */
export const MASK_255 = (1n << 255n) - 1n;
