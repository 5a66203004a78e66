import { sha256 } from '@noble/hashes/sha2.js';
import { PsiError } from '../errors.js';
import { UNIFORM_BYTES } from '../group/constants.js';
import { MAX_SLOTS } from '../wire/messages.js';
import { checkItems, MAX_ITEMS, prepareItems, type PreparedItems } from './items.js';

/**
 * Rows of keys reduced to what the protocol sends: distinct rows (units), each
 * `slots` key ids wide, `-1` marking a slot a dummy fills.
 *
 * @example
 * ```ts
 * const rows = prepareRows([['a', 'b'], ['b'], []], dst);
 * rows.count;    // 2 distinct non-empty rows
 * rows.slots;    // 2
 * rows.groupOf;  // Int32Array [0, 1, -1]
 * ```
 */
export interface PreparedRows {
  /** Rows given, empty ones included. */
  readonly total: number;
  /** Distinct rows with at least one key: a row is its set of distinct keys. */
  readonly count: number;
  /** Elements per row on the wire: the most distinct keys of any row (at least 1). */
  readonly slots: number;
  /** The distinct keys of all rows (expand_message_xmd outputs). */
  readonly keys: PreparedItems;
  /** `count * slots` key ids: row u's keys in slots `[u * slots, (u + 1) * slots)`, `-1` for a dummy. */
  readonly unitKeys: Int32Array;
  /** groupOf[i] = the distinct row that given row i is, `-1` for a row with no key (it never matches). */
  readonly groupOf: Int32Array;
}

/**
 * Throws `ITEMS_INVALID` unless `rows` is an array of arrays of strings and
 * byte arrays; `TOO_MANY_ITEMS` past what the wire can count.
 *
 * @example
 * ```ts
 * checkRows([['a@example.com', '+15551234567'], []]); // fine
 * checkRows([['a'], 'b']);                            // throws ITEMS_INVALID
 * ```
 */
export function checkRows(rows: readonly unknown[]): void {
  if (!Array.isArray(rows)) throw new PsiError('ITEMS_INVALID', 'rows must be an array of arrays of keys');
  let keys = 0;
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new PsiError('ITEMS_INVALID', `row ${i} must be an array of keys`);
    try {
      checkItems(row);
    } catch (e) {
      throw new PsiError('ITEMS_INVALID', `row ${i}: ${(e as Error).message}`, { cause: e });
    }
    keys += row.length;
  });
  if (keys > MAX_ITEMS) throw new PsiError('TOO_MANY_ITEMS', `at most ${MAX_ITEMS} keys per party`);
}

/**
 * Hashes the keys of rows that passed {@link checkRows} and groups them into
 * distinct rows. Keys repeated inside a row count once; rows with the same keys
 * are one row (the peer never sees multiplicities). Rows that share only some
 * keys stay apart, each carrying the shared key, so a row found by that key is
 * counted however many rows share it: this is what makes the count exact, and
 * what lets the peer see that two rows share an element (docs/protocol.md, "Rows").
 * Slots follow key ids, not columns, so a slot does not say which column a key
 * came from.
 *
 * @example
 * ```ts
 * const rows = prepareRows([[psiItem('email', 'a@b.com'), psiItem('phone', '+15551234567')]], protocolSuite('x25519').dst);
 * ```
 */
export function prepareRows(rows: readonly (readonly (string | Uint8Array)[])[], dst: string): PreparedRows {
  const flat = rows.flat();
  const keys = prepareItems(flat, dst);
  const groupOf = new Int32Array(rows.length).fill(-1);
  const units = new Map<string, number>();
  const members: number[][] = [];
  let at = 0;
  rows.forEach((row, i) => {
    const ids = [...new Set(Array.from(keys.groupOf.subarray(at, at + row.length)))].sort((a, b) => a - b);
    at += row.length;
    if (ids.length === 0) return;
    const signature = ids.join(',');
    let unit = units.get(signature);
    if (unit === undefined) {
      unit = members.length;
      units.set(signature, unit);
      members.push(ids);
    }
    groupOf[i] = unit;
  });
  const slots = members.reduce((most, ids) => Math.max(most, ids.length), 1);
  if (slots > MAX_SLOTS) throw new PsiError('ITEMS_INVALID', `a row has ${slots} distinct keys; at most ${MAX_SLOTS}`);
  if (members.length * slots > MAX_ITEMS) throw new PsiError('TOO_MANY_ITEMS', `${members.length} rows of ${slots} slots exceed 2^32`);
  const unitKeys = new Int32Array(members.length * slots).fill(-1);
  members.forEach((ids, u) => unitKeys.set(ids, u * slots));
  return { total: rows.length, count: members.length, slots, keys, unitKeys, groupOf };
}

/**
 * An order-free digest of distinct rows: each row's sorted key prefixes hashed,
 * and the sorted row hashes hashed. The same rows in any order, with their keys
 * in any order, give the same digest; it seeds a key derived from the rows.
 *
 * @example
 * ```ts
 * rowsDigest(prepareRows(rows, dst)); // 32 bytes
 * ```
 */
export function rowsDigest(rows: PreparedRows): Uint8Array {
  const { count, slots, unitKeys, keys } = rows;
  const view = new DataView(keys.packed.buffer, keys.packed.byteOffset, keys.packed.byteLength);
  const rowHashes = new BigUint64Array(count);
  const prefixes = new BigUint64Array(slots);
  for (let u = 0; u < count; u++) {
    let n = 0;
    for (let s = 0; s < slots; s++) {
      const id = unitKeys[u * slots + s]!;
      if (id >= 0) prefixes[n++] = view.getBigUint64(id * UNIFORM_BYTES);
    }
    const sorted = prefixes.slice(0, n).sort();
    rowHashes[u] = new DataView(sha256(new Uint8Array(sorted.buffer)).buffer).getBigUint64(0);
  }
  return sha256(new Uint8Array(rowHashes.sort().buffer));
}
