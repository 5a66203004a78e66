/**
 * Domain-separation tag of hash-to-group (RFC 9380 §3.1), owned by the protocol
 * and versioned with it: a new protocol version gets a new tag, so elements of
 * different versions never compare equal.
 */
export const HASH_TO_GROUP_DST = 'blindjoin-v1-ristretto255_XMD:SHA-512_R255MAP_RO_';
