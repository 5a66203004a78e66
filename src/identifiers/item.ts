import { hexToBytes } from '@noble/hashes/utils.js';
import { IdentifierError } from './errors.js';
import { normalizedDigest } from './hash.js';
import { checkType } from './checks.js';
import { normalizeWith } from './normalize.js';
import { resolveRules, type NormalizeRules, type PlannedKey } from './plan.js';
import type { IdentifierType, NormalizeOptions } from './types.js';

/**
 * Options of {@link psiItem}: those of {@link normalize}, plus `hashOf`, the
 * type of identifier a pre-hashed (`'sha256'`) value is the hash of.
 *
 * @example
 * ```ts
 * const opts: PsiItemOptions = { hashOf: 'phone' };
 * ```
 */
export interface PsiItemOptions extends NormalizeOptions {
  /** For `type: 'sha256'`: what was hashed; default `'email'`. */
  hashOf?: IdentifierType | undefined;
}

/**
 * Domain-separation prefix of item bytes; the identifier type and a zero byte follow it.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(psiItem('email', 'a@b.com').subarray(0, ITEM_PREFIX.length)); // ITEM_PREFIX
 * ```
 */
export const ITEM_PREFIX = 'blindjoin/item/v1/';

const utf8 = new TextEncoder();
const prefixes = new Map<IdentifierType, Uint8Array>();

/**
 * The item of a type and the SHA-256 digest of a normalised value, as
 * {@link psiItem} builds it; for readers that keep digests and rebuild items.
 *
 * @example
 * ```ts
 * itemFromDigest('email', normalizedDigest('jane@example.com')); // equals psiItem('email', 'jane@example.com')
 * ```
 */
export function itemFromDigest(type: IdentifierType, digest: Uint8Array): Uint8Array {
  let prefix = prefixes.get(type);
  if (prefix === undefined) {
    prefix = utf8.encode(`${ITEM_PREFIX}${type}\0`);
    prefixes.set(type, prefix);
  }
  const item = new Uint8Array(prefix.length + digest.length);
  item.set(prefix);
  item.set(digest, prefix.length);
  return item;
}

/**
 * Turns an identifier into the bytes the PSI protocol matches on:
 * `utf8("blindjoin/item/v1/" + type) || 0x00 || sha256(normalized)`.
 *
 * The type prefix keeps identifier kinds apart (an email and an external ID
 * with the same text never collide). Building on the SHA-256 of the
 * normalised value lets a party that holds only hashed identifiers, as ad
 * platforms do, join with one holding raw ones: pass `type: 'sha256'` and the
 * 64-hex-digit hash (any case) with `opts.hashOf` naming what was hashed
 * (default `'email'`), and the item is the same as from the raw value.
 *
 * @example
 * ```ts
 * const a = psiItem('email', ' Jane@Example.com ');
 * const b = psiItem('sha256', hashIdentifier(normalize('jane@example.com', 'email')));
 * // a and b hold the same bytes
 * ```
 */
export function psiItem(type: IdentifierType | 'sha256', value: string, opts?: PsiItemOptions): Uint8Array {
  if (type === 'sha256') return hashedItem(value, checkType(opts?.hashOf ?? 'email'));
  const kind = checkType(type);
  return itemFromDigest(kind, normalizedDigest(normalizeWith(value, kind, resolveRules(opts))));
}

/**
 * The item of a pre-hashed value: 64 hex digits (any case, trimmed) of the
 * SHA-256 of a normalised identifier of type `hashOf`.
 */
function hashedItem(value: string, hashOf: IdentifierType): Uint8Array {
  const hex = typeof value === 'string' ? value.trim() : '';
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new IdentifierError('SHA256_INVALID', 'a pre-hashed identifier must be a SHA-256 digest written as 64 hex digits');
  }
  return itemFromDigest(hashOf, hexToBytes(hex.toLowerCase()));
}

/**
 * {@link psiItem} of one cell of a planned key, under rules already
 * resolved: nothing about the options is checked again.
 *
 * @example
 * ```ts
 * const plan = planIdentifiers([{ name: 'email', type: 'email' }], {}, 'OPTIONS_INVALID');
 * keyItem(plan.keys[0]!, 'Jane@Example.com', plan.rules); // equals psiItem('email', 'Jane@Example.com')
 * ```
 */
export function keyItem(key: Pick<PlannedKey, 'type' | 'itemType'>, value: string, rules: NormalizeRules): Uint8Array {
  if (key.type === 'sha256') return hashedItem(value, key.itemType);
  return itemFromDigest(key.type, normalizedDigest(normalizeWith(value, key.type, rules)));
}
