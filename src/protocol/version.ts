/**
 * Domain-separation tag of the ristretto255 suite's hash to group (RFC 9380 §3.1,
 * RFC 9496 §4.3.4 from 64 expand_message_xmd bytes), owned by the protocol
 * and versioned with it: a new protocol version gets a new tag, so elements of
 * different versions never compare equal.
 */
export const HASH_TO_GROUP_DST = 'blindjoin-v1-ristretto255_XMD:SHA-512_R255MAP_RO_';

/**
 * Domain-separation tag of the x25519 suite's expand_message_xmd (RFC 9380 §3.1,
 * §5.3.1), owned by the protocol like {@link HASH_TO_GROUP_DST} (docs/x25519.md).
 * It differs from the ristretto255 suite's tag, so the two suites hash an item with
 * independent random oracles. The suite-ID part names what the construction is made
 * of (output on curve25519 as a u-coordinate, expand_message_xmd with SHA-512, the
 * Elligator 2 map, the two-map random-oracle form); the field-element encoding and
 * sign rule are libsodium's `from_uniform` rather than RFC 9380 §5/§6.7.1's, so the
 * output is not that of RFC 9380's curve25519_XMD:SHA-512_ELL2_RO_ suite. The
 * `blindjoin-v1-` prefix makes every input to the hash unique to this protocol.
 */
export const X25519_HASH_DST = 'blindjoin-v1-curve25519_XMD:SHA-512_ELL2_RO_';
