import { itemFromDigest } from './item.js';
import { sameBytes } from '../bytes.js';
import type { KeyProblem, RowKey } from './row-keys.js';
import type { IdentifierType } from './types.js';

/**
 * A row that produced no key (or, in single-column reads, a cell that did
 * not), with the 1-based physical line it starts on and why.
 *
 * @example
 * ```ts
 * const r: RejectedRow = { line: 7, code: 'EMPTY', reason: 'column "email" is empty' };
 * ```
 */
export interface RejectedRow {
  line: number;
  code: string;
  reason: string;
}

/**
 * A key of an accepted row that did not normalise, with the row's line.
 *
 * @example
 * ```ts
 * const w: RowWarning = { line: 4, column: 'phone', code: 'PHONE_INVALID', reason: 'column "phone": ...' };
 * ```
 */
export interface RowWarning extends KeyProblem {
  line: number;
}

/**
 * The accepted rows of a multi-key read, packed for files of 10^7 rows: a
 * row's keys are `keyStart[row]` to `keyStart[row + 1] - 1`; each key keeps
 * its column (a byte) and the 32-byte digest of its item, and items are
 * rebuilt on demand. Line numbers and key offsets are `Uint32Array`s.
 *
 * @example
 * ```ts
 * const rows = await readIdentifierRows('crm.csv', { columns: [{ name: 'email', type: 'email' }, { name: 'phone', type: 'phone' }] });
 * for (let r = 0; r < rows.count; r++) console.log(rows.lines[r], rows.keys(r).map((k) => rows.columns[k.column]));
 * ```
 */
export interface IdentifierRows {
  /** Data rows read (header and blank lines not counted). */
  rowsRead: number;
  /** Rows with at least one key. */
  count: number;
  /** Label of each key column: its name, or its names joined by `+`. */
  columns: readonly string[];
  /** Names of the raw columns kept per row (`keep`). */
  keep: readonly string[];
  /** 1-based physical line of each accepted row. */
  lines: Uint32Array;
  /** Keys of all accepted rows. */
  keyCount: number;
  /** Row `r` has keys `keyStart[r]` to `keyStart[r + 1] - 1` (length `count + 1`). */
  keyStart: Uint32Array;
  /** Key column of each key (index into `columns`). */
  keyColumn: Uint8Array;
  /** Accepted row of each key. */
  keyRow: Uint32Array;
  /** Keys whose item equals an earlier key's (in this row or another). */
  duplicates: number;
  /** Rows with no key: ragged, unreadable, or every key empty or invalid. */
  rejected: RejectedRow[];
  /** Keys that failed in accepted rows (a bad phone next to a good email). */
  warnings: RowWarning[];
  /** The PSI item of key `key` (a new array each call). */
  item(key: number): Uint8Array;
  /** The keys of accepted row `row`, items included. */
  keys(row: number): RowKey[];
  /** The raw cells of the `keep` columns of accepted row `row`. */
  kept(row: number): string[];
}

const DIGEST = 32;
const CHUNK_KEYS = 1 << 16;

class GrowU32 {
  data = new Uint32Array(1024);
  length = 0;
  push(n: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = n;
  }
}

/**
 * Collects rows into an {@link IdentifierRows}: digests in 2 MiB chunks,
 * offsets in growing typed arrays, and an open-addressing table of key
 * indices (4 bytes a slot) to count duplicates without a string per key.
 *
 * @example
 * ```ts
 * const table = new RowTableBuilder(['email'], ['email'], []);
 * table.add(2, [{ column: 0, type: 'email', item: psiItem('email', 'a@b.com') }], []);
 * table.finish(1, [], []).count; // 1
 * ```
 */
export class RowTableBuilder {
  private readonly chunks: Uint8Array[] = [];
  private readonly lines = new GrowU32();
  private readonly starts = new GrowU32();
  private readonly rowOf = new GrowU32();
  private columnOf = new Uint8Array(1024);
  private readonly keptCells: string[] = [];
  private keyCount = 0;
  private duplicates = 0;
  private slots = new Uint32Array(1 << 12);

  constructor(
    private readonly columns: readonly string[],
    private readonly types: readonly IdentifierType[],
    private readonly keep: readonly string[],
  ) {
    this.starts.push(0);
  }

  private digest(key: number): Uint8Array {
    const chunk = this.chunks[Math.floor(key / CHUNK_KEYS)]!;
    const at = (key % CHUNK_KEYS) * DIGEST;
    return chunk.subarray(at, at + DIGEST);
  }

  private slotOf(digest: Uint8Array, type: IdentifierType): number {
    // Digests are uniform, so their first bytes are a good hash; the type index keeps kinds apart.
    const mask = this.slots.length - 1;
    let h = ((digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24)) ^ (this.types.indexOf(type) * 0x9e3779b1)) >>> 0;
    for (;;) {
      const slot = h & mask;
      const held = this.slots[slot]!;
      if (held === 0) return slot;
      const other = held - 1;
      if (this.types[this.columnOf[other]!] === type && sameBytes(this.digest(other), digest)) return slot;
      h++;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (const held of old) if (held !== 0) this.slots[this.slotOf(this.digest(held - 1), this.types[this.columnOf[held - 1]!]!)] = held;
  }

  /** Adds an accepted row: its line, its keys (at least one) and its kept cells. */
  add(line: number, keys: readonly RowKey[], kept: readonly string[]): void {
    const row = this.lines.length;
    this.lines.push(line);
    for (const key of keys) {
      const k = this.keyCount++;
      if (k % CHUNK_KEYS === 0) this.chunks.push(new Uint8Array(CHUNK_KEYS * DIGEST));
      if (k === this.columnOf.length) {
        const next = new Uint8Array(k * 2);
        next.set(this.columnOf);
        this.columnOf = next;
      }
      const digest = key.item.subarray(key.item.length - DIGEST);
      this.chunks[this.chunks.length - 1]!.set(digest, (k % CHUNK_KEYS) * DIGEST);
      this.columnOf[k] = key.column;
      this.rowOf.push(row);
      // Linear probing stays short up to three quarters full; 2 x 10^7 keys take 128 MiB of slots.
      if (this.keyCount * 4 > this.slots.length * 3) this.grow();
      const slot = this.slotOf(digest, key.type);
      if (this.slots[slot] === 0) this.slots[slot] = k + 1;
      else this.duplicates++;
    }
    this.starts.push(this.keyCount);
    for (const cell of kept) this.keptCells.push(cell);
  }

  /** The finished table; the builder is not to be used afterwards. */
  finish(rowsRead: number, rejected: RejectedRow[], warnings: RowWarning[]): IdentifierRows {
    const { columns, types, keep, keptCells } = this;
    const digestOf = (key: number): Uint8Array => this.digest(key);
    const keyColumn = this.columnOf.subarray(0, this.keyCount);
    const keyStart = this.starts.data.subarray(0, this.starts.length);
    const keyCount = this.keyCount;
    this.slots = new Uint32Array(0);
    const item = (key: number): Uint8Array => {
      if (!Number.isInteger(key) || key < 0 || key >= keyCount) throw new RangeError(`no key ${key}`);
      return itemFromDigest(types[keyColumn[key]!]!, digestOf(key));
    };
    return {
      rowsRead,
      count: this.lines.length,
      columns,
      keep,
      lines: this.lines.data.subarray(0, this.lines.length),
      keyCount,
      keyStart,
      keyColumn,
      keyRow: this.rowOf.data.subarray(0, this.rowOf.length),
      duplicates: this.duplicates,
      rejected,
      warnings,
      item,
      keys: (row) => {
        const out: RowKey[] = [];
        for (let k = keyStart[row]!; k < keyStart[row + 1]!; k++)
          out.push({ column: keyColumn[k]!, type: types[keyColumn[k]!]!, item: item(k) });
        return out;
      },
      kept: (row) => keptCells.slice(row * keep.length, (row + 1) * keep.length),
    };
  }
}
