import { open, type FileHandle } from 'node:fs/promises';
import { PsiError } from '../errors.js';

/**
 * An input row as results name it: its line in the input, its identifier as
 * written, and the emitted columns (the service's `MatchedRow`).
 *
 * @example
 * ```ts
 * const row: InputRow = { line: 42, value: 'ann@example.com' };
 * ```
 */
export interface InputRow {
  line: number;
  value: string;
  cells?: string[];
}

/**
 * One input row behind a stored element: its index among the input's
 * identifiers (results list rows in this order, as without a store) and the row.
 *
 * @example
 * ```ts
 * const row: StoredRow = { index: 41, source: 0, row: { line: 42, value: 'ann@example.com' } };
 * ```
 */
export interface StoredRow {
  index: number;
  /** Which file the row came from: 0 the prepared input, n the n-th file added (`prepare --add`). */
  source: number;
  row: InputRow;
}

/** Bytes before the offsets: the entry count (u32 LE). */
const HEAD = 4;

type Entry = [number, number, number, string] | [number, number, number, string, string[]];

/**
 * The JSON text of one input row as a row-map entry lists it: what
 * {@link encodeRowMap} writes for each row, so that a streamed `prepare` can
 * keep rows as text on disk and join an element's rows with commas.
 *
 * @example
 * ```ts
 * rowText({ index: 0, source: 0, row: { line: 2, value: 'ann@example.com' } }); // '[0,0,2,"ann@example.com"]'
 * ```
 */
export function rowText({ index, source, row }: StoredRow): string {
  const entry: Entry = row.cells === undefined ? [index, source, row.line, row.value] : [index, source, row.line, row.value, row.cells];
  return JSON.stringify(entry);
}

/**
 * Encodes the row map of one segment: entry k lists the rows of the segment's
 * k-th element (none for a removed one). Layout: u32 count n, n + 1 u32 offsets
 * into the text, then one JSON array per entry, so that a session's matches are
 * read with two small reads each instead of parsing the whole map.
 *
 * @example
 * ```ts
 * const bytes = encodeRowMap([[{ index: 0, source: 0, row: { line: 2, value: 'ann@example.com' } }], []]);
 * ```
 */
export function encodeRowMap(entries: readonly (readonly StoredRow[])[]): Uint8Array {
  const utf8 = new TextEncoder();
  return encodeRowMapTexts(entries.map((rows) => utf8.encode(`[${rows.map(rowText).join(',')}]`)));
}

/**
 * {@link encodeRowMap} of entries already encoded: each the UTF-8 JSON array of its rows' {@link rowText}s.
 *
 * @example
 * ```ts
 * const bytes = encodeRowMapTexts([new TextEncoder().encode('[[0,0,2,"ann@example.com"]]')]);
 * ```
 */
export function encodeRowMapTexts(texts: readonly Uint8Array[]): Uint8Array {
  const textBytes = texts.reduce((n, t) => n + t.length, 0);
  const out = new Uint8Array(HEAD + 4 * (texts.length + 1) + textBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, texts.length, true);
  let at = 0;
  const base = HEAD + 4 * (texts.length + 1);
  texts.forEach((t, k) => {
    view.setUint32(HEAD + 4 * k, at, true);
    out.set(t, base + at);
    at += t.length;
  });
  view.setUint32(HEAD + 4 * texts.length, at, true);
  return out;
}

/**
 * Decodes every entry of a row map (updates rewrite whole segments).
 *
 * @example
 * ```ts
 * const entries = decodeRowMap(bytes, 'seg-000000.0.rows');
 * ```
 */
export function decodeRowMap(bytes: Uint8Array, where: string): StoredRow[][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const base = HEAD + 4 * (count + 1);
  const text = new TextDecoder();
  return Array.from({ length: count }, (_, k) =>
    parseEntry(
      text.decode(bytes.subarray(base + view.getUint32(HEAD + 4 * k, true), base + view.getUint32(HEAD + 4 * k + 4, true))),
      where,
    ),
  );
}

function parseEntry(text: string, where: string): StoredRow[] {
  try {
    return (JSON.parse(text) as Entry[]).map(([index, source, line, value, cells]) => ({
      index,
      source,
      row: cells === undefined ? { line, value } : { line, value, cells },
    }));
  } catch (e) {
    throw new PsiError('STORE_CORRUPT', `${where}: a row-map entry is not JSON`, { cause: e });
  }
}

/** Entries closer than this in the file are read together: one read of the gap costs less than another read's latency. */
const GAP_BYTES = 16 * 1024;
/** The most bytes one coalesced read spans. */
const SPAN_BYTES = 1024 * 1024;

/** Reads exactly `length` bytes at `position`; a file that ends sooner is corrupt. */
async function readExactly(file: FileHandle, length: number, position: number, path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await file.read(bytes, 0, length, position);
  if (bytesRead !== length) throw new PsiError('STORE_CORRUPT', `${path} ends inside a row-map entry`);
  return bytes;
}

/**
 * Reads the entries at `ks` (positions within the segment) from a row-map file,
 * in the order of `ks`: its offset table, then the entries in file order, those
 * within 16 KiB of each other in one read (a session's matches are thousands of
 * small entries; one read each made their latency the cost).
 *
 * @example
 * ```ts
 * const rows = await readRowEntries('store/epoch-e1/seg-000003.0.rows', [5, 17]);
 * ```
 */
export async function readRowEntries(path: string, ks: readonly number[]): Promise<StoredRow[][]> {
  const file = await open(path, 'r');
  try {
    const head = await readExactly(file, HEAD, 0, path);
    const count = new DataView(head.buffer).getUint32(0, true);
    const table = await readExactly(file, 4 * (count + 1), HEAD, path);
    const offsets = new DataView(table.buffer);
    const base = HEAD + table.length;
    const spans = ks.map((k) => {
      if (k >= count) throw new PsiError('STORE_CORRUPT', `${path} has ${count} entries, entry ${k} was asked for`);
      const span = { from: offsets.getUint32(4 * k, true), to: offsets.getUint32(4 * k + 4, true) };
      if (span.to < span.from) throw new PsiError('STORE_CORRUPT', `${path}: entry ${k} ends before it starts`);
      return span;
    });
    const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.from - spans[b]!.from);
    const text = new TextDecoder();
    const out = new Array<StoredRow[]>(ks.length);
    for (let i = 0; i < order.length;) {
      const from = spans[order[i]!]!.from;
      let to = spans[order[i]!]!.to;
      let j = i + 1;
      for (; j < order.length; j++) {
        const next = spans[order[j]!]!;
        if (next.from - to > GAP_BYTES || next.to - from > SPAN_BYTES) break;
        to = Math.max(to, next.to);
      }
      const bytes = await readExactly(file, to - from, base + from, path);
      for (; i < j; i++) {
        const span = spans[order[i]!]!;
        out[order[i]!] = parseEntry(text.decode(bytes.subarray(span.from - from, span.to - from)), path);
      }
    }
    return out;
  } finally {
    await file.close();
  }
}
