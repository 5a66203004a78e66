import { expandMessages, type HashInput } from '../hash.js';
import { X25519_HASH_DST } from './constants.js';

/**
 * The first half of the x25519 suite's hash to group: expand_message_xmd with
 * SHA-512 (RFC 9380 §5.3.1) of each message to 64 uniform bytes under
 * `X25519_HASH_DST`, packed back to back, ready for a backend's `fromUniform` or
 * `blindUniform`. The same native-SHA-512 fast path as the ristretto255 suite.
 *
 * @example
 * ```ts
 * const elements = backend.fromUniform(expandX25519(['a@example.com']));
 * ```
 */
export function expandX25519(messages: readonly HashInput[]): Uint8Array {
  return expandMessages(messages, X25519_HASH_DST);
}
