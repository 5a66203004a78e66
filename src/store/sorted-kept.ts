import { createHash, hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { writeDurably } from '../atomic-file.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { byteOrder, compareSpans } from '../join/byte-order.js';

/** A kept record: the element (32 bytes), then its segment and its offset in the segment (little-endian uint32 each). */
export const KEPT_RECORD_BYTES = ELEMENT_BYTES + 8;
/** Records per block: the unit a join reads and checks. */
export const KEPT_BLOCK_RECORDS = 16;
/** Bytes of a whole block of the data file. */
export const KEPT_BLOCK_BYTES = KEPT_RECORD_BYTES * KEPT_BLOCK_RECORDS;
/** Per block in the index file: the first 8 bytes of its first element (its fence)... */
export const KEPT_FENCE_BYTES = 8;
/** ...then the first 16 bytes of the block's SHA-256 (its checksum). */
export const KEPT_CHECK_BYTES = 16;
/** Bytes per block in the index file. */
export const KEPT_INDEX_ENTRY_BYTES = KEPT_FENCE_BYTES + KEPT_CHECK_BYTES;
/** Bytes a merge reads or writes at a time per file. */
const STREAM_BYTES = KEPT_BLOCK_BYTES * 100;

/**
 * A relationship's kept elements sorted by value: `records` records in the data
 * file, and the SHA-256 (hex) of its index file, which holds each block's fence
 * and checksum. A join verifies the index whole and each block it reads.
 *
 * @example
 * ```ts
 * const kept: SortedKept = { records: 300, index: 'ab12…' };
 * ```
 */
export interface SortedKept {
  records: number;
  index: string;
}

/**
 * Where a sorted kept set lives: its data file and its index file.
 *
 * @example
 * ```ts
 * const files: SortedKeptFiles = { data: 'kept-ab.sorted', index: 'kept-ab.index' };
 * ```
 */
export interface SortedKeptFiles {
  data: string;
  index: string;
}

/** Orders records i of `a` and j of `b`: by element bytes, then segment, then offset. */
function compareRecords(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  return (
    compareSpans(a, i * KEPT_RECORD_BYTES, b, j * KEPT_RECORD_BYTES, ELEMENT_BYTES) ||
    segmentOf(a, i) - segmentOf(b, j) ||
    offsetOf(a, i) - offsetOf(b, j)
  );
}

/**
 * A block's check as the index keeps it: the first 16 bytes of its SHA-256.
 *
 * @example
 * ```ts
 * const check = blockCheck(data.subarray(0, KEPT_BLOCK_BYTES)); // 16 bytes
 * ```
 */
export function blockCheck(block: Uint8Array): Uint8Array {
  return hash('sha256', block, 'buffer').subarray(0, KEPT_CHECK_BYTES);
}

/**
 * The index's digest a relationship's state records: SHA-256, in hex.
 *
 * @example
 * ```ts
 * indexDigest(index) === kept.index; // the index is the one the kept set was written with
 * ```
 */
export function indexDigest(index: Uint8Array): string {
  return createHash('sha256').update(index).digest('hex');
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/**
 * The segment of record `r` of packed records.
 *
 * @example
 * ```ts
 * segmentOf(run, 0); // the segment the run was made for
 * ```
 */
export function segmentOf(records: Uint8Array, r: number): number {
  return u32le(records, r * KEPT_RECORD_BYTES + ELEMENT_BYTES);
}

/**
 * The offset in its segment of record `r` of packed records.
 *
 * @example
 * ```ts
 * offsetOf(run, 0); // where the smallest kept element of the run sits in its segment
 * ```
 */
export function offsetOf(records: Uint8Array, r: number): number {
  return u32le(records, r * KEPT_RECORD_BYTES + ELEMENT_BYTES + 4);
}

/**
 * The records of one segment's kept elements, sorted (by element, then offset):
 * a run for {@link writeSortedKept}.
 *
 * @example
 * ```ts
 * const run = sortedRun(keptElements, 3); // (keptElements.length / 32) records of 40 bytes
 * ```
 */
export function sortedRun(elements: Uint8Array, segment: number): Uint8Array {
  const order = byteOrder(elements, ELEMENT_BYTES);
  const out = new Uint8Array(order.length * KEPT_RECORD_BYTES);
  const view = new DataView(out.buffer);
  for (let r = 0; r < order.length; r++) {
    const k = order[r]!;
    const at = r * KEPT_RECORD_BYTES;
    out.set(elements.subarray(k * ELEMENT_BYTES, (k + 1) * ELEMENT_BYTES), at);
    view.setUint32(at + ELEMENT_BYTES, segment, true);
    view.setUint32(at + ELEMENT_BYTES + 4, k, true);
  }
  return out;
}

/** The first 6 bytes of a record as a number: most comparisons of a merge end there. */
function keyAt(bytes: Uint8Array, at: number): number {
  const high = (bytes[at]! << 8) | bytes[at + 1]!;
  const low = ((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0;
  return high * 2 ** 32 + low;
}

/** A sorted file of records read in order, skipping the records of segments `keep` rejects. */
class RecordCursor {
  readonly #file: FileHandle;
  readonly #keep: (segment: number) => boolean;
  #buffer = new Uint8Array(STREAM_BYTES);
  #records = 0;
  #position = 0;
  /** Index of the current record in the buffer. */
  at = 0;
  key = 0;

  private constructor(file: FileHandle, keep: (segment: number) => boolean) {
    this.#file = file;
    this.#keep = keep;
  }

  static async open(path: string, keep: (segment: number) => boolean): Promise<RecordCursor | undefined> {
    const cursor = new RecordCursor(await open(path, 'r'), keep);
    cursor.at = -1;
    if (cursor.#skip() || (await cursor.refill())) return cursor;
    await cursor.close();
    return undefined;
  }

  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /** Moves to the next kept record of the buffer; false when the buffer is spent (then {@link refill}). */
  advance(): boolean {
    return this.#skip();
  }

  #skip(): boolean {
    for (this.at++; this.at < this.#records; this.at++) {
      if (this.#keep(segmentOf(this.#buffer, this.at))) {
        this.key = keyAt(this.#buffer, this.at * KEPT_RECORD_BYTES);
        return true;
      }
    }
    return false;
  }

  /** Reads on; false at the end of the file. */
  async refill(): Promise<boolean> {
    for (;;) {
      const { bytesRead } = await this.#file.read(this.#buffer, 0, STREAM_BYTES, this.#position);
      if (bytesRead % KEPT_RECORD_BYTES !== 0) throw new PsiError('STORE_CORRUPT', 'a kept file ends inside a record');
      if (bytesRead === 0) return false;
      this.#position += bytesRead;
      this.#records = bytesRead / KEPT_RECORD_BYTES;
      this.at = -1;
      if (this.#skip()) return true;
    }
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}

/** Writes records in order into a data file, and each whole block's fence and checksum into the index. */
class SortedKeptWriter {
  readonly #file: FileHandle;
  readonly #out = new Uint8Array(STREAM_BYTES);
  readonly #index: Uint8Array[] = [];
  #filled = 0;
  records = 0;

  constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Copies one record; true when the buffer is full (then {@link flush}). */
  push(from: Uint8Array, record: number): boolean {
    const at = record * KEPT_RECORD_BYTES;
    this.#out.set(from.subarray(at, at + KEPT_RECORD_BYTES), this.#filled);
    this.#filled += KEPT_RECORD_BYTES;
    this.records++;
    return this.#filled === STREAM_BYTES;
  }

  async flush(): Promise<void> {
    const bytes = this.#out.subarray(0, this.#filled);
    const entries = new Uint8Array(Math.ceil(bytes.length / KEPT_BLOCK_BYTES) * KEPT_INDEX_ENTRY_BYTES);
    for (let b = 0, at = 0; at < bytes.length; b++, at += KEPT_BLOCK_BYTES) {
      const block = bytes.subarray(at, at + KEPT_BLOCK_BYTES);
      entries.set(block.subarray(0, KEPT_FENCE_BYTES), b * KEPT_INDEX_ENTRY_BYTES);
      entries.set(blockCheck(block), b * KEPT_INDEX_ENTRY_BYTES + KEPT_FENCE_BYTES);
    }
    this.#index.push(entries);
    await this.#file.write(bytes);
    this.#filled = 0;
  }

  /** The index file's bytes, once every record was written and flushed. */
  index(): Uint8Array {
    return Buffer.concat(this.#index);
  }
}

/** A min-heap of cursors by their current record. */
function heapLess(a: RecordCursor, b: RecordCursor): boolean {
  if (a.key !== b.key) return a.key < b.key;
  return compareRecords(a.buffer, a.at, b.buffer, b.at) < 0;
}

function siftDown(heap: RecordCursor[], from: number): void {
  for (let i = from; ;) {
    const l = 2 * i + 1;
    if (l >= heap.length) return;
    const c = l + 1 < heap.length && heapLess(heap[l + 1]!, heap[l]!) ? l + 1 : l;
    if (!heapLess(heap[c]!, heap[i]!)) return;
    [heap[c], heap[i]] = [heap[i]!, heap[c]!];
    i = c;
  }
}

/**
 * Merges sorted record files (each with the segments it contributes) into one
 * sorted kept set: the data file at `files.data`, its index at `files.index`.
 * Memory is a buffer per input and the index (24 bytes per 16 records).
 *
 * @example
 * ```ts
 * const kept = await writeSortedKept({ data, index }, [{ path: run3, keep: () => true }]);
 * ```
 */
export async function writeSortedKept(
  files: SortedKeptFiles,
  inputs: readonly { path: string; keep: (segment: number) => boolean }[],
): Promise<SortedKept> {
  const cursors: RecordCursor[] = [];
  const out = await open(files.data, 'wx', 0o600);
  try {
    for (const input of inputs) {
      const cursor = await RecordCursor.open(input.path, input.keep);
      if (cursor !== undefined) cursors.push(cursor);
    }
    const heap = [...cursors];
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    const writer = new SortedKeptWriter(out);
    while (heap.length > 0) {
      const top = heap[0]!;
      if (writer.push(top.buffer, top.at)) await writer.flush();
      if (!top.advance() && !(await top.refill())) {
        heap[0] = heap.at(-1)!;
        heap.pop();
      }
      siftDown(heap, 0);
    }
    await writer.flush();
    await out.sync();
    const index = writer.index();
    await writeDurably(files.index, 'wx', (file) => file.write(index));
    return { records: writer.records, index: indexDigest(index) };
  } finally {
    await out.close();
    for (const cursor of cursors) await cursor.close().catch(() => undefined);
  }
}
