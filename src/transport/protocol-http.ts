import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';

/** Media type of every frame body, both ways. */
export const FRAMES_MEDIA_TYPE = 'application/octet-stream';
/** Response header: the session id, hex. */
export const SESSION_HEADER = 'blindjoin-session';
/** Response header: how many of the service's frames wait beyond this response. */
export const PENDING_HEADER = 'blindjoin-pending';
/**
 * Request header of a session's first frame naming the client's relationship on a
 * store: `<id>:<fingerprint>`, the fingerprint from {@link relationshipFingerprint}.
 */
export const RELATIONSHIP_HEADER = 'blindjoin-relationship';

/** Request header of a session's first frame naming the audience it updates: the name, percent-encoded UTF-8. */
export const AUDIENCE_HEADER = 'blindjoin-audience';
/** Request header of a session's first frame: `replace` (default), `add` or `remove`. */
export const AUDIENCE_MODE_HEADER = 'blindjoin-audience-mode';

const FINGERPRINT_DOMAIN = new TextEncoder().encode('blindjoin-v1 relationship key fingerprint');

/**
 * A fingerprint of a relationship key seed: SHA-256 under its own domain, so the
 * service can tell a client whose key changed (and start afresh) without
 * learning anything that derives the key.
 *
 * @example
 * ```ts
 * relationshipFingerprint(seed); // 64 hex digits
 * ```
 */
export function relationshipFingerprint(keySeed: Uint8Array): string {
  return bytesToHex(sha256(concatBytes(FINGERPRINT_DOMAIN, keySeed)));
}
