import { readSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { compareAt, compareSpans } from '../join/byte-order.js';
import {
  blockCheck,
  indexDigest,
  KEPT_BLOCK_BYTES,
  KEPT_BLOCK_RECORDS,
  KEPT_CHECK_BYTES,
  KEPT_FENCE_BYTES,
  KEPT_INDEX_ENTRY_BYTES,
  KEPT_RECORD_BYTES,
  offsetOf,
  segmentOf,
  type SortedKept,
  type SortedKeptFiles,
} from './sorted-kept.js';

/**
 * One kept element equal to a query: the query's number, and where the element
 * was kept (segment, offset in the segment).
 *
 * @example
 * ```ts
 * const match: KeptMatch = { query: 0, segment: 3, offset: 17 };
 * ```
 */
export interface KeptMatch {
  query: number;
  segment: number;
  offset: number;
}

/**
 * How {@link joinSortedKept} reads: blocks between two needed ones are read
 * rather than skipped when at most `gapBlocks` apart; a read spans at most
 * `maxReadBlocks` blocks; reads are synchronous (each a few microseconds from
 * the page cache, where an asynchronous one costs ten times that in hand-offs),
 * `readsPerTurn` of them before the event loop gets a turn.
 *
 * @example
 * ```ts
 * const reads: KeptReads = { gapBlocks: 2, maxReadBlocks: 256, readsPerTurn: 1024 };
 * ```
 */
export interface KeptReads {
  gapBlocks: number;
  maxReadBlocks: number;
  readsPerTurn: number;
}

/** Defaults of {@link KeptReads}: needed blocks up to 4 apart share a read (the 3 between, under 2 KiB, cost less than another read). */
export const DEFAULT_KEPT_READS: KeptReads = { gapBlocks: 4, maxReadBlocks: 256, readsPerTurn: 1024 };

function u32be(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function corrupt(path: string, why: string): PsiError {
  return new PsiError('STORE_CORRUPT', `${path} ${why} (truncated or altered)`);
}

/** Reads the index file whole and checks it against its SHA-256. */
async function readIndex(files: SortedKeptFiles, kept: SortedKept, blocks: number): Promise<Uint8Array> {
  let index: Uint8Array;
  try {
    index = new Uint8Array(await readFile(files.index));
  } catch (e) {
    throw new PsiError('STORE_NOT_FOUND', `cannot read ${files.index}: ${(e as Error).message}`, { cause: e });
  }
  if (index.length !== blocks * KEPT_INDEX_ENTRY_BYTES || indexDigest(index) !== kept.index) {
    throw corrupt(files.index, 'fails its SHA-256 checksum');
  }
  return index;
}

async function openData(files: SortedKeptFiles, kept: SortedKept): Promise<FileHandle> {
  let file: FileHandle;
  try {
    file = await open(files.data, 'r');
  } catch (e) {
    throw new PsiError('STORE_NOT_FOUND', `cannot read ${files.data}: ${(e as Error).message}`, { cause: e });
  }
  if ((await file.stat()).size !== kept.records * KEPT_RECORD_BYTES) {
    await file.close();
    throw corrupt(files.data, `does not hold ${kept.records} records`);
  }
  return file;
}

/** First `b` in [from, end) for which `below(b)` is false (`below` true then false), by galloping then halving. */
function gallop(from: number, end: number, below: (b: number) => boolean): number {
  if (from >= end || !below(from)) return from;
  let lo = from;
  let step = 1;
  while (lo + step < end && below(lo + step)) {
    lo += step;
    step *= 2;
  }
  let hi = Math.min(lo + step, end);
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (below(mid)) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Compares record `r` of `records` with query `q` of `queries` by element bytes. */
function compareToQuery(records: Uint8Array, r: number, queries: Uint8Array, q: number): number {
  return compareSpans(records, r * KEPT_RECORD_BYTES, queries, q * ELEMENT_BYTES, ELEMENT_BYTES);
}

/** A run of blocks read at once, and the queries whose blocks lie in it. */
interface Read {
  start: number;
  end: number;
  from: number;
  to: number;
}

/**
 * Joins `queries` (packed elements, strictly ascending) against a sorted kept
 * set: for each query equal to a kept element of a segment `valid` accepts, the
 * first such element (smallest segment, then offset). Finds each query's blocks
 * from the index by galloping from the previous query's, reads only those
 * blocks (coalesced, see {@link KeptReads}) and checks each block read against
 * its checksum before it is searched: a corrupted or swapped file is
 * `STORE_CORRUPT` before anything of it is used. Work and bytes read grow with
 * the queries, not the kept set (but for its index, 24 bytes per 16 records).
 * Which blocks are read depends on where the queries fall in the kept order,
 * not on whether they are equal to an element there.
 *
 * @example
 * ```ts
 * const matches = await joinSortedKept(files, state.sorted, sortedPeer, (s) => isKept(s));
 * ```
 */
export async function joinSortedKept(
  files: SortedKeptFiles,
  kept: SortedKept,
  queries: Uint8Array,
  valid: (segment: number) => boolean,
  reads: KeptReads = DEFAULT_KEPT_READS,
): Promise<KeptMatch[]> {
  const count = queries.length / ELEMENT_BYTES;
  for (let q = 1; q < count; q++) {
    if (compareAt(queries, ELEMENT_BYTES, q - 1, q) >= 0)
      throw new PsiError('JOIN_INPUT_INVALID', 'kept-set queries must be strictly ascending');
  }
  const blocks = Math.ceil(kept.records / KEPT_BLOCK_RECORDS);
  const index = await readIndex(files, kept, blocks);
  const fenceHigh = new Uint32Array(blocks);
  const fenceLow = new Uint32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    fenceHigh[b] = u32be(index, b * KEPT_INDEX_ENTRY_BYTES);
    fenceLow[b] = u32be(index, b * KEPT_INDEX_ENTRY_BYTES + 4);
  }
  // Blocks [first, last] of each query: those whose records may equal it (first -1: none).
  const first = new Int32Array(count).fill(-1);
  const last = new Int32Array(count);
  let lower = 0;
  let upper = 0;
  for (let q = 0; q < count; q++) {
    const high = u32be(queries, q * ELEMENT_BYTES);
    const low = u32be(queries, q * ELEMENT_BYTES + 4);
    lower = gallop(lower, blocks, (b) => fenceHigh[b]! < high || (fenceHigh[b] === high && fenceLow[b]! < low));
    upper = gallop(Math.max(upper, lower), blocks, (b) => fenceHigh[b]! < high || (fenceHigh[b] === high && fenceLow[b]! <= low));
    if (upper === 0) continue;
    first[q] = Math.max(lower - 1, 0);
    last[q] = upper - 1;
  }
  const runs: Read[] = [];
  for (let q = 0; q < count; q++) {
    if (first[q] === -1) continue;
    const run = runs.at(-1);
    if (run !== undefined && first[q]! <= run.end + reads.gapBlocks && last[q]! - run.start < reads.maxReadBlocks) {
      run.end = Math.max(run.end, last[q]!);
      run.to = q + 1;
    } else runs.push({ start: first[q]!, end: last[q]!, from: q, to: q + 1 });
  }
  const file = await openData(files, kept);
  try {
    const readRun = (run: Read): Uint8Array => {
      const at = run.start * KEPT_BLOCK_BYTES;
      const length = Math.min((run.end + 1) * KEPT_BLOCK_BYTES, kept.records * KEPT_RECORD_BYTES) - at;
      const bytes = new Uint8Array(length);
      if (readSync(file.fd, bytes, 0, length, at) !== length) throw corrupt(files.data, 'was truncated');
      return bytes;
    };
    const matches: KeptMatch[] = [];
    for (let r = 0; r < runs.length; r++) {
      if (r > 0 && r % reads.readsPerTurn === 0) await nextTurn();
      const run = runs[r]!;
      const bytes = readRun(run);
      let checked = run.start - 1;
      for (let q = run.from; q < run.to; q++) {
        if (first[q] === -1) continue;
        for (let b = Math.max(first[q]!, checked + 1); b <= last[q]!; b++) {
          const block = bytes.subarray((b - run.start) * KEPT_BLOCK_BYTES, (b - run.start + 1) * KEPT_BLOCK_BYTES);
          const at = b * KEPT_INDEX_ENTRY_BYTES + KEPT_FENCE_BYTES;
          if (Buffer.compare(blockCheck(block), index.subarray(at, at + KEPT_CHECK_BYTES)) !== 0) {
            throw corrupt(files.data, `fails the checksum of block ${b}`);
          }
          checked = b;
        }
        const from = (first[q]! - run.start) * KEPT_BLOCK_RECORDS;
        const match = firstEqual(bytes, from, (last[q]! + 1 - run.start) * KEPT_BLOCK_RECORDS, queries, q, valid);
        if (match !== undefined) matches.push({ query: q, ...match });
      }
    }
    return matches;
  } finally {
    await file.close();
  }
}

/** The first record of records [from, to) of `bytes` equal to query `q` whose segment is valid. */
function firstEqual(
  bytes: Uint8Array,
  from: number,
  to: number,
  queries: Uint8Array,
  q: number,
  valid: (segment: number) => boolean,
): { segment: number; offset: number } | undefined {
  let lo = from;
  let hi = Math.min(to, bytes.length / KEPT_RECORD_BYTES);
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareToQuery(bytes, mid, queries, q) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (let r = lo; r < end && compareToQuery(bytes, r, queries, q) === 0; r++) {
    const segment = segmentOf(bytes, r);
    if (valid(segment)) return { segment, offset: offsetOf(bytes, r) };
  }
  return undefined;
}
