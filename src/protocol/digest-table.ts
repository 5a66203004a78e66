import { ELEMENT_BYTES } from '../group/constants.js';

/** Bytes of a key: a keyed digest, uniform. */
export const KEY_BYTES = 16;
/** Bytes of an entry: its key, then its value (one element). */
export const ENTRY_BYTES = KEY_BYTES + ELEMENT_BYTES;
/** Index slots of an empty table: a power of two. */
const MIN_SLOTS = 16;

/**
 * Entries of a 16-byte key and a 32-byte value packed back to back in the
 * order they were first set, each with a used flag, found by key through an
 * open-addressing index: per slot the key's first 4 bytes and the entry's
 * number plus one (0: empty), probed linearly and kept at most half full. Keys
 * must be uniform (keyed digests): their first 4 bytes are the hash. Setting a
 * key again replaces its value in place, as a `Map` would; nothing is ever
 * removed but by {@link DigestTable.keepUsed} and {@link DigestTable.clear}.
 * Keys and values are passed as an array and a byte offset into it, so a
 * lookup allocates nothing.
 *
 * @example
 * ```ts
 * const table = new DigestTable();
 * const entry = table.set(digests, 0, elements, 0); // the first digest and element
 * table.find(digests, 0) === entry; // true
 * table.copyValue(entry, out, 0);
 * ```
 */
export class DigestTable {
  #entries = new Uint8Array(0);
  #used = new Uint8Array(0);
  #count = 0;
  #index = new Int32Array(2 * MIN_SLOTS);

  /** Entries held. */
  get size(): number {
    return this.#count;
  }

  /** The number of the entry whose key is `keys[at .. at + 16)`, or -1. */
  find(keys: Uint8Array, at: number): number {
    return this.#index[2 * this.#slot(keys, at, hashOf(keys, at)) + 1]! - 1;
  }

  /**
   * Gives the key `keys[at .. at + 16)` the value `values[from .. from + 32)`:
   * a new entry at the end, or the key's entry with its value replaced.
   * Returns the entry's number.
   */
  set(keys: Uint8Array, at: number, values: Uint8Array, from: number): number {
    const hash = hashOf(keys, at);
    let slot = this.#slot(keys, at, hash);
    let entry = this.#index[2 * slot + 1]! - 1;
    if (entry < 0) {
      entry = this.#count;
      if ((entry + 1) * ENTRY_BYTES > this.#entries.length) this.#grow(entry + 1);
      if (2 * (entry + 1) > this.#index.length >>> 1) {
        this.#reindex(slotsFor(entry + 1));
        slot = this.#slot(keys, at, hash);
      }
      const to = entry * ENTRY_BYTES;
      for (let j = 0; j < KEY_BYTES; j++) this.#entries[to + j] = keys[at + j]!;
      this.#index[2 * slot] = hash;
      this.#index[2 * slot + 1] = entry + 1;
      this.#count++;
    }
    const to = entry * ENTRY_BYTES + KEY_BYTES;
    for (let j = 0; j < ELEMENT_BYTES; j++) this.#entries[to + j] = values[from + j]!;
    return entry;
  }

  /** Writes entry `entry`'s value to `out[at .. at + 32)`. */
  copyValue(entry: number, out: Uint8Array, at: number): void {
    const from = entry * ENTRY_BYTES + KEY_BYTES;
    for (let j = 0; j < ELEMENT_BYTES; j++) out[at + j] = this.#entries[from + j]!;
  }

  /** Flags entry `entry` as used, for {@link DigestTable.keepUsed}. */
  markUsed(entry: number): void {
    this.#used[entry] = 1;
  }

  /**
   * Drops the entries not flagged used, keeping the others in their order.
   * Returns how many it dropped.
   */
  keepUsed(): number {
    const before = this.#count;
    let kept = 0;
    for (let entry = 0; entry < before; entry++) {
      if (this.#used[entry] === 0) continue;
      if (kept !== entry) this.#entries.copyWithin(kept * ENTRY_BYTES, entry * ENTRY_BYTES, (entry + 1) * ENTRY_BYTES);
      this.#used[kept++] = 1;
    }
    this.#used.fill(0, kept, before);
    this.#count = kept;
    this.#reindex(slotsFor(kept));
    return before - kept;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries = new Uint8Array(0);
    this.#used = new Uint8Array(0);
    this.#count = 0;
    this.#index = new Int32Array(2 * MIN_SLOTS);
  }

  /** The entries, packed in order (a view: valid until the table changes). */
  packed(): Uint8Array {
    return this.#entries.subarray(0, this.#count * ENTRY_BYTES);
  }

  /** The slot holding the key `keys[at .. at + 16)` of hash `hash`, or the empty slot where it would go. */
  #slot(keys: Uint8Array, at: number, hash: number): number {
    const index = this.#index;
    const mask = (index.length >>> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = index[2 * slot + 1]!;
      if (entry === 0 || (index[2 * slot] === hash && this.#sameKey(entry - 1, keys, at))) return slot;
    }
  }

  #sameKey(entry: number, keys: Uint8Array, at: number): boolean {
    const from = entry * ENTRY_BYTES;
    for (let j = 0; j < KEY_BYTES; j++) if (this.#entries[from + j] !== keys[at + j]) return false;
    return true;
  }

  /** Storage for at least `count` entries: twice as many. */
  #grow(count: number): void {
    const capacity = Math.max(MIN_SLOTS, 2 * count);
    const entries = new Uint8Array(capacity * ENTRY_BYTES);
    entries.set(this.#entries);
    this.#entries = entries;
    const used = new Uint8Array(capacity);
    used.set(this.#used);
    this.#used = used;
  }

  /** Rebuilds the index with `slots` slots over the entries held (all distinct). */
  #reindex(slots: number): void {
    const index = new Int32Array(2 * slots);
    const mask = slots - 1;
    for (let entry = 0; entry < this.#count; entry++) {
      const hash = hashOf(this.#entries, entry * ENTRY_BYTES);
      let slot = hash & mask;
      while (index[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      index[2 * slot] = hash;
      index[2 * slot + 1] = entry + 1;
    }
    this.#index = index;
  }
}

/** Index slots for `count` entries: the least power of two at least twice as many. */
function slotsFor(count: number): number {
  let slots = MIN_SLOTS;
  while (slots < 2 * count) slots *= 2;
  return slots;
}

/** The first 4 bytes of the key at `keys[at ..)` as an int32. */
function hashOf(keys: Uint8Array, at: number): number {
  return keys[at]! | (keys[at + 1]! << 8) | (keys[at + 2]! << 16) | (keys[at + 3]! << 24);
}
