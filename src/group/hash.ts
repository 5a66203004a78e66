import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { UNIFORM_BYTES } from './constants.js';

/**
 * The first half of RFC 9380 `hash_to_ristretto255`: expand_message_xmd with
 * SHA-512 of each message to 64 uniform bytes, packed back to back. The second
 * half (element derivation) belongs to a backend, so both backends share this one.
 *
 * @example
 * ```ts
 * const uniform = expandMessages([utf8('a@b.com')], 'blindjoin-v1'); // 64 bytes
 * const points = backend.fromUniform(uniform);
 * ```
 */
export function expandMessages(messages: readonly Uint8Array[], dst: string): Uint8Array {
  const out = new Uint8Array(messages.length * UNIFORM_BYTES);
  for (let i = 0; i < messages.length; i++) {
    out.set(expand_message_xmd(messages[i]!, dst, UNIFORM_BYTES, sha512), i * UNIFORM_BYTES);
  }
  return out;
}
