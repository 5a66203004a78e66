import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { IdentifierError } from './errors.js';

const utf8 = new TextEncoder();

/**
 * How a SHA-256 digest is written: lowercase hex (Meta, Google, PAIR) or
 * standard padded Base64 of the 32 bytes (UID2).
 *
 * @example
 * ```ts
 * const enc: HashEncoding = 'base64';
 * ```
 */
export type HashEncoding = 'hex' | 'base64';

/**
 * SHA-256 of the UTF-8 bytes of an already-normalised identifier.
 *
 * @example
 * ```ts
 * normalizedDigest('user@example.com').length; // 32
 * ```
 */
export function normalizedDigest(normalized: string): Uint8Array {
  if (typeof normalized !== 'string' || normalized === '') {
    throw new IdentifierError('EMPTY', 'the normalised identifier to hash must be a non-empty string');
  }
  return sha256(utf8.encode(normalized));
}

/**
 * The status-quo hashed identifier that ad platforms take in customer
 * uploads: SHA-256 of the UTF-8 bytes of a value from {@link normalize},
 * lowercase hex by default or Base64 of the digest bytes (UID2). It hides
 * nothing from anyone who can enumerate likely values; see
 * docs/why-not-hashing.md.
 *
 * @example
 * ```ts
 * hashIdentifier('user@example.com');
 * // 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514'
 * hashIdentifier('user@example.com', { encoding: 'base64' });
 * // 'tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ='
 * ```
 */
export function hashIdentifier(normalized: string, opts?: { encoding?: HashEncoding | undefined }): string {
  const encoding = opts?.encoding ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') {
    throw new IdentifierError('ENCODING_UNKNOWN', `encoding ${JSON.stringify(encoding)} is not 'hex' or 'base64'`);
  }
  const digest = normalizedDigest(normalized);
  return encoding === 'hex' ? bytesToHex(digest) : toBase64(digest);
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
