import { writeFileAtomic } from '../atomic-file.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { PsiError } from '../errors.js';
import type { StorePaths } from './layout.js';
import type { SegmentEntry } from './manifest.js';
import { encodeRowMap, encodeRowMapTexts, type StoredRow } from './row-map.js';
import { sha256Hex } from './verify.js';

/**
 * Writes one file of a store atomically, `STORE_WRITE_FAILED` naming it otherwise.
 *
 * @example
 * ```ts
 * await writeStoreFile(paths.elements(3, 0), elements);
 * ```
 */
export async function writeStoreFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    throw new PsiError('STORE_WRITE_FAILED', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Writes one segment's two files atomically under generation `gen`, the row
 * map from entries already encoded (see `encodeRowMapTexts`), and returns its manifest entry.
 *
 * @example
 * ```ts
 * const entry = await writeSegmentFiles(paths, 0, 0, elements, entries);
 * ```
 */
export async function writeSegmentFiles(
  paths: StorePaths,
  index: number,
  gen: number,
  elements: Uint8Array,
  entries: readonly Uint8Array[],
): Promise<SegmentEntry> {
  if (elements.length !== entries.length * ELEMENT_BYTES) {
    throw new PsiError('STORE_CORRUPT', `segment ${index}: ${elements.length} bytes of elements for ${entries.length} row-map entries`);
  }
  const rowMap = encodeRowMapTexts(entries);
  await writeStoreFile(paths.elements(index, gen), elements);
  await writeStoreFile(paths.rows(index, gen), rowMap);
  return { count: entries.length, gen, elements: sha256Hex(elements), rows: sha256Hex(rowMap) };
}

/**
 * Writes one segment's two files atomically under generation `gen` from its
 * row lists and returns its manifest entry (updates rewrite segments this way).
 *
 * @example
 * ```ts
 * const entry = await writeSegment(paths, 0, 1, elements, rowLists);
 * ```
 */
export async function writeSegment(
  paths: StorePaths,
  index: number,
  gen: number,
  elements: Uint8Array,
  rows: readonly (readonly StoredRow[])[],
): Promise<SegmentEntry> {
  const rowMap = encodeRowMap(rows);
  await writeStoreFile(paths.elements(index, gen), elements);
  await writeStoreFile(paths.rows(index, gen), rowMap);
  return { count: rows.length, gen, elements: sha256Hex(elements), rows: sha256Hex(rowMap) };
}
