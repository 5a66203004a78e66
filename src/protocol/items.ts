import { PsiError } from '../errors.js';
import { UNIFORM_BYTES } from '../group/constants.js';
import { expandMessages } from '../group/hash.js';
import { HASH_TO_GROUP_DST } from './version.js';

/**
 * A party's items reduced to what the protocol blinds: the distinct items'
 * hash-to-group inputs, and for each distinct item every index it had.
 *
 * @example
 * ```ts
 * const set = prepareItems(['a', 'b', 'a']);
 * set.count;      // 2
 * set.indices[0]; // [0, 2]
 * ```
 */
export interface PreparedItems {
  /** Number of items given, duplicates included. */
  readonly total: number;
  /** Number of distinct items. */
  readonly count: number;
  /** expand_message_xmd output of each distinct item, 64 bytes each. */
  readonly packed: Uint8Array;
  /** indices[d] = ascending indices into the given items equal to distinct item d. */
  readonly indices: readonly number[][];
}

const utf8 = new TextEncoder();

function toBytes(item: unknown, i: number): Uint8Array {
  if (typeof item === 'string') return utf8.encode(item);
  if (item instanceof Uint8Array) return item;
  throw new PsiError('ITEMS_INVALID', `item ${i} must be a string or Uint8Array, got ${item === null ? 'null' : typeof item}`);
}

/** Key of a 64-byte digest for deduplication: its first 16 bytes, as 8 UTF-16 units. */
function digestKey(uniform: Uint8Array, d: number): string {
  const at = d * UNIFORM_BYTES;
  let key = '';
  for (let i = 0; i < 16; i += 2) key += String.fromCharCode(uniform[at + i]! | (uniform[at + i + 1]! << 8));
  return key;
}

/**
 * Validates, hashes and deduplicates items. Duplicates are detected on the
 * hash-to-group input, so a string and its UTF-8 bytes are the same item.
 *
 * @example
 * ```ts
 * const prepared = prepareItems(['alice@example.com', new Uint8Array([1, 2])]);
 * ```
 */
export function prepareItems(items: readonly (string | Uint8Array)[]): PreparedItems {
  if (!Array.isArray(items)) throw new PsiError('ITEMS_INVALID', 'items must be an array of strings or Uint8Arrays');
  const all = expandMessages(items.map(toBytes), HASH_TO_GROUP_DST);
  const firstOf = new Map<string, number>();
  const indices: number[][] = [];
  const keep: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const key = digestKey(all, i);
    const d = firstOf.get(key);
    if (d === undefined) {
      firstOf.set(key, indices.length);
      indices.push([i]);
      keep.push(i);
    } else {
      indices[d]!.push(i);
    }
  }
  const uniform = keep.length === items.length ? all : new Uint8Array(keep.length * UNIFORM_BYTES);
  if (uniform !== all) {
    keep.forEach((i, d) => uniform.set(all.subarray(i * UNIFORM_BYTES, (i + 1) * UNIFORM_BYTES), d * UNIFORM_BYTES));
  }
  return { total: items.length, count: keep.length, packed: uniform, indices };
}
