/** Bytes in one canonical ristretto255 element encoding (RFC 9496 §4.3.2). */
export const ELEMENT_BYTES = 32;
/** Bytes in one little-endian ristretto255 scalar. */
export const SCALAR_BYTES = 32;
/** Uniform bytes fed to element derivation (RFC 9496 §4.3.4), as RFC 9380 prescribes. */
export const UNIFORM_BYTES = 64;
