import { PsiError } from '../errors.js';
import { UNIFORM_BYTES } from '../group/constants.js';
import { randomPermutation } from '../random/shuffle.js';
import { RECORD_HEAD } from './buckets.js';

/**
 * The records of one bucket file loaded whole, grouped by item: record `r`
 * starts at `starts[r]`, and `groupOf[r]` is its distinct item, numbered by
 * first occurrence (`firsts[d]` is item `d`'s first record).
 *
 * @example
 * ```ts
 * const grouped = groupBucket(bytes, 'work/b-3');
 * grouped.firsts.length; // distinct items in the bucket
 * ```
 */
export interface GroupedBucket {
  bytes: Uint8Array;
  starts: Uint32Array;
  groupOf: Uint32Array;
  firsts: Uint32Array;
}

function sameUniform(bytes: Uint8Array, a: number, b: number): boolean {
  for (let k = 0; k < UNIFORM_BYTES; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

function recordStarts(bytes: Uint8Array, where: string): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts: number[] = [];
  for (let at = 0; at < bytes.length;) {
    if (bytes.length - at < RECORD_HEAD) throw new PsiError('STORE_CORRUPT', `${where} ends inside a record`);
    starts.push(at);
    at += RECORD_HEAD + view.getUint32(at + UNIFORM_BYTES, true);
    if (at > bytes.length) throw new PsiError('STORE_CORRUPT', `${where} ends inside a record`);
  }
  return Uint32Array.from(starts);
}

/**
 * Finds the distinct items of a bucket on their 64 hash-to-group bytes (as
 * `prepareItems` does for a whole input), with an open-addressing table of typed arrays.
 *
 * @example
 * ```ts
 * const { firsts } = groupBucket(readFileSync('work/b-3'), 'work/b-3');
 * ```
 */
export function groupBucket(bytes: Uint8Array, where: string): GroupedBucket {
  const starts = recordStarts(bytes, where);
  const n = starts.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mask = 2 ** Math.ceil(Math.log2(2 * n + 2)) - 1;
  const slots = new Uint32Array(mask + 1);
  const groupOf = new Uint32Array(n);
  const firsts: number[] = [];
  for (let r = 0; r < n; r++) {
    // Hash-to-group bytes are uniform: their first word is the hash (the bucket used other bits, HMAC'd).
    let s = view.getUint32(starts[r]!, true) & mask;
    for (;;) {
      const held = slots[s]!;
      if (held === 0) {
        slots[s] = r + 1;
        groupOf[r] = firsts.length;
        firsts.push(r);
        break;
      }
      if (sameUniform(bytes, starts[held - 1]!, starts[r]!)) {
        groupOf[r] = groupOf[held - 1]!;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return { bytes, starts, groupOf, firsts: Uint32Array.from(firsts) };
}

/**
 * The distinct items of a bucket in a uniformly random order drawn from
 * `random`: their hash-to-group bytes packed, and for each its row-map entry
 * (the JSON array of its rows' texts, in input order).
 *
 * @example
 * ```ts
 * const { packed, entries } = orderBucket(groupBucket(bytes, path), keyedSource(orderKey, [label]));
 * ```
 */
export function orderBucket(bucket: GroupedBucket, random: (length: number) => Uint8Array): { packed: Uint8Array; entries: Uint8Array[] } {
  const { bytes, starts, groupOf, firsts } = bucket;
  const count = firsts.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const textOf = (r: number) => {
    const at = starts[r]! + RECORD_HEAD;
    return bytes.subarray(at, at + view.getUint32(starts[r]! + UNIFORM_BYTES, true));
  };
  // Records of each item, in file (hence input) order: counting sort by item.
  const from = new Uint32Array(count + 1);
  for (const d of groupOf) from[d + 1]!++;
  for (let d = 0; d < count; d++) from[d + 1]! += from[d]!;
  const fill = from.slice(0, count);
  const records = new Uint32Array(groupOf.length);
  groupOf.forEach((d, r) => (records[fill[d]!++] = r));
  const order = randomPermutation(count, random);
  const packed = new Uint8Array(count * UNIFORM_BYTES);
  const entries: Uint8Array[] = [];
  order.forEach((d, k) => {
    packed.set(bytes.subarray(starts[firsts[d]!], starts[firsts[d]!]! + UNIFORM_BYTES), k * UNIFORM_BYTES);
    const mine = records.subarray(from[d], from[d + 1]);
    let length = 1 + mine.length;
    for (const r of mine) length += textOf(r).length;
    const entry = new Uint8Array(length);
    entry[0] = 0x5b; // '['
    let at = 1;
    mine.forEach((r, i) => {
      if (i > 0) entry[at++] = 0x2c; // ','
      entry.set(textOf(r), at);
      at += textOf(r).length;
    });
    entry[at] = 0x5d; // ']'
    entries.push(entry);
  });
  return { packed, entries };
}
