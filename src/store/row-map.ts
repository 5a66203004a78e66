import { open } from 'node:fs/promises';
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

/**
 * Reads the entries at `ks` (positions within the segment) from a row-map file: its offset table, then one read each.
 *
 * @example
 * ```ts
 * const rows = await readRowEntries('store/epoch-e1/seg-000003.0.rows', [5, 17]);
 * ```
 */
export async function readRowEntries(path: string, ks: readonly number[]): Promise<StoredRow[][]> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(HEAD);
    await file.read(head, 0, HEAD, 0);
    const count = new DataView(head.buffer).getUint32(0, true);
    // The offset table in one read: a segment's matches then cost one read each.
    const table = new Uint8Array(4 * (count + 1));
    await file.read(table, 0, table.length, HEAD);
    const offsets = new DataView(table.buffer);
    const base = HEAD + table.length;
    const out: StoredRow[][] = [];
    for (const k of ks) {
      if (k >= count) throw new PsiError('STORE_CORRUPT', `${path} has ${count} entries, entry ${k} was asked for`);
      const from = offsets.getUint32(4 * k, true);
      const text = new Uint8Array(offsets.getUint32(4 * k + 4, true) - from);
      await file.read(text, 0, text.length, base + from);
      out.push(parseEntry(new TextDecoder().decode(text), path));
    }
    return out;
  } finally {
    await file.close();
  }
}
