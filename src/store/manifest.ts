import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { PsiError } from '../errors.js';
import type { GroupName } from '../group/suite.js';

/** The store format this code writes and reads; another is refused, never guessed at. */
export const STORE_FORMAT = 1;

/**
 * One segment of a store: `count` elements in `seg-<n>.<gen>.el` and their row
 * map in `seg-<n>.<gen>.rows`, each with its SHA-256.
 *
 * @example
 * ```ts
 * const entry: SegmentEntry = { count: 65_536, gen: 0, elements: 'ab…', rows: 'cd…' };
 * ```
 */
export interface SegmentEntry {
  count: number;
  /** Generation of the files: an update writes changed segments under a new one, so served files never change. */
  gen: number;
  /** SHA-256 (hex) of the element file. */
  elements: string;
  /** SHA-256 (hex) of the row-map file. */
  rows: string;
}

/**
 * What a store epoch holds, written last (atomically) by `prepare` and by each update:
 * a store without one is incomplete and never served.
 *
 * @example
 * ```ts
 * const manifest = await readManifest('store/epoch-e1/manifest.json');
 * manifest.elements; // stored elements, served to every session
 * ```
 */
export interface Manifest {
  format: typeof STORE_FORMAT;
  group: GroupName;
  epoch: string;
  createdAt: string;
  updatedAt: string;
  /** Stored positions: distinct items, and placeholders of removed ones. */
  elements: number;
  /** Positions holding a placeholder (a removed user's element replaced by a random one). */
  removed: number;
  /** Input rows' identifiers the row map names, duplicates included (the next added row gets this index). */
  items: number;
  /** Files the rows came from: the prepared input and each added file (the next added file is this number). */
  sources: number;
  /** The emitted columns of each row (`prepare --emit`, or several `--column`s): results then count users, not identifiers. */
  columns?: string[];
  /** Elements per segment when the store was prepared. */
  segmentItems: number;
  segments: SegmentEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Checks the shape and arithmetic of a parsed manifest (`STORE_CORRUPT` otherwise).
 *
 * @example
 * ```ts
 * const manifest = checkManifest(JSON.parse(text), 'manifest.json');
 * ```
 */
export function checkManifest(value: unknown, where: string): Manifest {
  const m = value as Partial<Manifest> | null;
  const bad = (why: string) => new PsiError('STORE_CORRUPT', `${where}: ${why}`);
  if (typeof m !== 'object' || m === null) throw bad('not a JSON object');
  if (m.format !== STORE_FORMAT) throw bad(`format ${String(m.format)} is not ${STORE_FORMAT}`);
  if (m.group !== 'x25519' && m.group !== 'ristretto255') throw bad(`unknown group ${String(m.group)}`);
  if (typeof m.epoch !== 'string' || typeof m.createdAt !== 'string' || typeof m.updatedAt !== 'string')
    throw bad('missing epoch or dates');
  if (![m.elements, m.removed, m.items, m.sources].every(isCount) || !isCount(m.segmentItems) || m.segmentItems === 0)
    throw bad('bad counts');
  if (!Array.isArray(m.segments)) throw bad('no segment list');
  if (m.columns !== undefined && !(Array.isArray(m.columns) && m.columns.every((c) => typeof c === 'string'))) throw bad('bad columns');
  let total = 0;
  for (const [i, s] of m.segments.entries()) {
    if (!isCount(s?.count) || !isCount(s.gen) || !HEX64.test(String(s.elements)) || !HEX64.test(String(s.rows))) {
      throw bad(`segment ${i} is malformed`);
    }
    total += s.count;
  }
  if (total !== m.elements || m.removed! > m.elements) throw bad(`segments hold ${total} elements, the manifest says ${m.elements}`);
  return m as Manifest;
}

/**
 * Reads and checks a manifest; a missing one is `undefined` (an epoch still being prepared).
 *
 * @example
 * ```ts
 * const manifest = await readManifest(paths.manifest);
 * ```
 */
export async function readManifest(path: string): Promise<Manifest | undefined> {
  const parsed = await readStoreJson(path, '');
  return parsed === undefined ? undefined : checkManifest(parsed, path);
}

/**
 * A JSON file of a store, or undefined when it does not exist: unreadable is
 * `STORE_NOT_FOUND`, not JSON is `STORE_CORRUPT` (`hint` says what to do).
 *
 * @example
 * ```ts
 * const journal = await readStoreJson(paths.journal, '; delete the epoch directory to start it again');
 * ```
 */
export async function readStoreJson(path: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PsiError('STORE_NOT_FOUND', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new PsiError('STORE_CORRUPT', `${path} is not JSON${hint}`, { cause: e });
  }
}

/**
 * Writes a manifest atomically (readers see the old one or the new one).
 *
 * @example
 * ```ts
 * await writeManifest(paths.manifest, manifest);
 * ```
 */
export async function writeManifest(path: string, manifest: Manifest): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(manifest, null, 1)}\n`);
  } catch (e) {
    throw new PsiError('STORE_WRITE_FAILED', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}
