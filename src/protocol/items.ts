import { PsiError } from '../errors.js';
import { UNIFORM_BYTES } from '../group/constants.js';
import { expandMessages } from '../group/hash.js';
import { yieldToEventLoop } from '../yield.js';

/**
 * A party's items reduced to what the protocol blinds: the distinct items'
 * hash-to-group inputs, and which distinct item each given item is.
 *
 * @example
 * ```ts
 * const set = prepareItems(['a', 'b', 'a']);
 * set.count;   // 2
 * set.groupOf; // Uint32Array [0, 1, 0]
 * ```
 */
export interface PreparedItems {
  /** Number of items given, duplicates included. */
  readonly total: number;
  /** Number of distinct items. */
  readonly count: number;
  /** expand_message_xmd output of each distinct item, 64 bytes each. */
  readonly packed: Uint8Array;
  /** groupOf[i] = the distinct item that given item i is. */
  readonly groupOf: Uint32Array;
}

/** Most items one party may hold: the wire counts them in 32 bits. */
export const MAX_ITEMS = 0xffff_ffff;

/**
 * Throws `ITEMS_INVALID` unless `items` is an array of strings and byte arrays,
 * and `TOO_MANY_ITEMS` past what the wire can count.
 *
 * @example
 * ```ts
 * checkItems(['a@example.com', new Uint8Array([1])]); // fine
 * checkItems(['a', 3]);                               // throws ITEMS_INVALID
 * ```
 */
export function checkItems(items: readonly unknown[]): void {
  if (!Array.isArray(items)) throw new PsiError('ITEMS_INVALID', 'items must be an array of strings or Uint8Arrays');
  if (items.length > MAX_ITEMS) throw new PsiError('TOO_MANY_ITEMS', `at most ${MAX_ITEMS} items per party`);
  items.forEach((item, i) => {
    if (typeof item !== 'string' && !(item instanceof Uint8Array)) {
      throw new PsiError('ITEMS_INVALID', `item ${i} must be a string or Uint8Array, got ${item === null ? 'null' : typeof item}`);
    }
  });
}

function sameDigest(all: Uint8Array, i: number, j: number): boolean {
  const a = i * UNIFORM_BYTES;
  const b = j * UNIFORM_BYTES;
  for (let k = 0; k < UNIFORM_BYTES; k++) if (all[a + k] !== all[b + k]) return false;
  return true;
}

/**
 * Hashes and deduplicates items that passed {@link checkItems}, with expand_message_xmd
 * (RFC 9380 §5.3.1) under `dst`, the session suite's tag (`HASH_TO_GROUP_DST` or
 * `X25519_HASH_DST`). Duplicates are found on the 64-byte
 * hash-to-group input (so a string and its UTF-8 bytes are the same item) with an
 * open-addressing table of typed arrays: no string or object per item, which at
 * 10^6..10^7 items is most of the time and memory a `Map` would cost.
 *
 * @example
 * ```ts
 * const prepared = prepareItems(['alice@example.com', new Uint8Array([1, 2])], protocolSuite('x25519').dst);
 * ```
 */
export function prepareItems(items: readonly (string | Uint8Array)[], dst: string): PreparedItems {
  return distinctOf(expandMessages(items, dst), items.length);
}

/** Items hashed in each slice between two turns of the event loop: about 40 ms of expand_message_xmd. */
const HASH_SLICE = 8192;

/**
 * {@link prepareItems} in slices with the event loop free between them: a
 * service hashing its own 10^5 users for a session keeps answering `/healthz`
 * and other sessions meanwhile.
 *
 * @example
 * ```ts
 * const { count, packed, groupOf } = await prepareItemsInSlices(users, X25519_HASH_DST);
 * ```
 */
export async function prepareItemsInSlices(items: readonly (string | Uint8Array)[], dst: string): Promise<PreparedItems> {
  if (items.length <= HASH_SLICE) return prepareItems(items, dst);
  const all = new Uint8Array(items.length * UNIFORM_BYTES);
  for (let at = 0; at < items.length; at += HASH_SLICE) {
    if (at > 0) await yieldToEventLoop();
    all.set(expandMessages(items.slice(at, at + HASH_SLICE), dst), at * UNIFORM_BYTES);
  }
  return distinctOf(all, items.length);
}

/** The distinct items of `total` hashed ones (`all`, 64 bytes each) and which distinct item each given one is. */
function distinctOf(all: Uint8Array, total: number): PreparedItems {
  const words = new Uint32Array(all.buffer, all.byteOffset, all.length / 4);
  const mask = 2 ** Math.ceil(Math.log2(2 * total + 2)) - 1;
  // slot -> 1 + the given index of the first item with that digest; digests are uniform, so their first word is the hash.
  const slots = new Uint32Array(mask + 1);
  const groupOf = new Uint32Array(total);
  const firsts: number[] = [];
  for (let i = 0; i < total; i++) {
    let s = words[i * (UNIFORM_BYTES / 4)]! & mask;
    for (;;) {
      const held = slots[s]!;
      if (held === 0) {
        slots[s] = i + 1;
        groupOf[i] = firsts.length;
        firsts.push(i);
        break;
      }
      if (sameDigest(all, held - 1, i)) {
        groupOf[i] = groupOf[held - 1]!;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  if (firsts.length === total) return { total, count: total, packed: all, groupOf };
  const packed = new Uint8Array(firsts.length * UNIFORM_BYTES);
  firsts.forEach((i, d) => packed.set(all.subarray(i * UNIFORM_BYTES, (i + 1) * UNIFORM_BYTES), d * UNIFORM_BYTES));
  return { total, count: firsts.length, packed, groupOf };
}
