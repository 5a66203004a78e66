import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { keyedSource } from '../disclosure/drbg.js';
import { PsiError } from '../errors.js';
import { UNIFORM_BYTES } from '../group/constants.js';
import { createBlinder } from '../group/create-blinder.js';
import type { BackendChoice } from '../group/load.js';
import { zeroize } from '../group/scalar.js';
import { checkBackendChoice, type GroupName } from '../group/suite.js';
import { prepareItems } from '../protocol/items.js';
import { permutePacked, randomPermutation } from '../protocol/shuffle.js';
import { protocolSuite } from '../protocol/suite.js';
import { integerIn } from '../validate.js';
import { readKeyFile, writeKeyFile } from './key-file.js';
import { checkEpochLabel, currentEpoch, storePaths, switchEpoch, type StorePaths } from './layout.js';
import { readManifest, readStoreJson, STORE_FORMAT, writeManifest, type Manifest, type SegmentEntry } from './manifest.js';
import { encodeRowMap, type InputRow, type StoredRow } from './row-map.js';
import { sha256Hex, verifySegment } from './verify.js';

/** Elements per segment by default: 2 MiB files, a few hundred for 10^7 users. */
export const DEFAULT_SEGMENT_ITEMS = 1 << 16;

/**
 * The platform's users as `prepare` takes them: identifiers, and the input row of each.
 *
 * @example
 * ```ts
 * const input: StoreInput = { items: ['ann@example.com'], rows: [{ line: 2, value: 'Ann@Example.com' }] };
 * ```
 */
export interface StoreInput {
  items: readonly (string | Uint8Array)[];
  /** The row of each item (same length); results name these rows. */
  rows: readonly InputRow[];
  /** Names of the rows' `cells` when rows are users with several identifiers (results then count users). */
  columns?: readonly string[];
}

/**
 * Options of {@link prepareStore}.
 *
 * @example
 * ```ts
 * const opts: PrepareOptions = { epoch: '2026-12', group: 'x25519', onProgress: (done, total) => bar.update(done, total) };
 * ```
 */
export interface PrepareOptions {
  /** Label of the epoch (default: the one being resumed, else the UTC time, e.g. `20261201T233852Z`). */
  epoch?: string;
  group?: GroupName;
  backend?: BackendChoice;
  workers?: number;
  /** Elements per segment; default {@link DEFAULT_SEGMENT_ITEMS}. */
  segmentItems?: number;
  /** Make this epoch the one served once it is complete; default only when the store serves none yet. */
  makeCurrent?: boolean;
  /** Called after each segment is safely written, or found written by an earlier run. */
  onProgress?: (segmentsDone: number, segments: number) => void;
  /** Stops between segments; a rerun resumes after the last one written. */
  signal?: AbortSignal;
}

/** What `journal.json` records while an epoch is prepared: enough to resume it, and to refuse another input. */
interface Journal {
  format: typeof STORE_FORMAT;
  group: GroupName;
  epoch: string;
  createdAt: string;
  /** SHA-256 of the hashed distinct items and the item-to-distinct map: a resume must see the same input. */
  input: string;
  /** Seed of the stored order, so that a resumed run puts every element where the first run did. */
  orderSeed: string;
  segmentItems: number;
  segments: SegmentEntry[];
}

function utcLabel(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** An epoch still being prepared (a journal, no manifest), if exactly one. */
async function pendingEpoch(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const pending: string[] = [];
  for (const name of names.filter((n) => n.startsWith('epoch-'))) {
    const label = name.slice('epoch-'.length);
    const paths = storePaths(dir, label);
    if (
      (await readFile(paths.journal).then(
        () => true,
        () => false,
      )) &&
      (await readManifest(paths.manifest)) === undefined
    )
      pending.push(label);
  }
  return pending.length === 1 ? pending[0] : undefined;
}

async function readJournal(path: string): Promise<Journal | undefined> {
  return (await readStoreJson(path, '; delete the epoch directory to start it again')) as Journal | undefined;
}

async function writeJson(path: string, value: unknown): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(value)}\n`);
  } catch (e) {
    throw new PsiError('STORE_WRITE_FAILED', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Writes one segment's two files atomically under generation `gen` and returns its manifest entry.
 *
 * @example
 * ```ts
 * const entry = await writeSegment(paths, 0, 0, elements, rowLists);
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
  try {
    await writeFileAtomic(paths.elements(index, gen), elements);
    await writeFileAtomic(paths.rows(index, gen), rowMap);
  } catch (e) {
    throw new PsiError('STORE_WRITE_FAILED', `cannot write segment ${index} of ${paths.epochDir}: ${(e as Error).message}`, { cause: e });
  }
  return { count: rows.length, gen, elements: sha256Hex(elements), rows: sha256Hex(rowMap) };
}

/** Row lists per distinct item: the given indices whose item it is, in input order. */
function rowsByDistinct(groupOf: Uint32Array, count: number): { starts: Uint32Array; indices: Uint32Array } {
  const starts = new Uint32Array(count + 1);
  for (const d of groupOf) starts[d + 1]!++;
  for (let d = 0; d < count; d++) starts[d + 1]! += starts[d]!;
  const fill = starts.slice(0, count);
  const indices = new Uint32Array(groupOf.length);
  groupOf.forEach((d, i) => (indices[fill[d]!++] = i));
  return { starts, indices };
}

/** The journal to continue, or a fresh one with a new key; refuses a journal of another input or suite. */
async function startOrResume(
  paths: StorePaths,
  label: string,
  group: GroupName,
  input: string,
  segmentItems: number,
): Promise<{ journal: Journal; key: Uint8Array }> {
  const journal = await readJournal(paths.journal);
  if (journal !== undefined) {
    if (journal.group !== group || journal.input !== input || journal.segmentItems !== segmentItems || journal.epoch !== label) {
      throw new PsiError(
        'STORE_EPOCH_MISMATCH',
        `epoch ${label} was started with another input, group or segment size; finish it with the same ones or delete ${paths.epochDir}`,
      );
    }
    return { journal, key: await readKeyFile(paths.key) };
  }
  const suite = protocolSuite(group);
  const key = suite.randomKey();
  await writeKeyFile(paths.key, key);
  const fresh: Journal = {
    format: STORE_FORMAT,
    group,
    epoch: label,
    createdAt: new Date().toISOString(),
    input,
    orderSeed: bytesToHex(randomBytes(32)),
    segmentItems,
    segments: [],
  };
  await writeJson(paths.journal, fresh);
  return { journal: fresh, key };
}

/**
 * `blindjoin prepare`: hashes and blinds the platform's users once under a new
 * epoch key and writes them to the store in `dir` as segments in a random order
 * fixed here, with the row map, the key file (0600) and, last, the manifest.
 * Each segment is written atomically and recorded in a journal, so a run that
 * stopped (crash, signal, `opts.signal`) continues where it stopped when rerun
 * with the same input. Returns the manifest.
 *
 * @example
 * ```ts
 * const manifest = await prepareStore('/var/lib/blindjoin/store', { items, rows }, { epoch: '2026-12' });
 * ```
 */
export async function prepareStore(dir: string, input: StoreInput, opts: PrepareOptions = {}): Promise<Manifest> {
  const suite = protocolSuite(opts.group);
  const backend = checkBackendChoice(opts.backend, suite);
  const segmentItems = opts.segmentItems === undefined ? DEFAULT_SEGMENT_ITEMS : integerIn(opts.segmentItems, 'segmentItems', 1, 1 << 24);
  if (input.rows.length !== input.items.length) {
    throw new PsiError('OPTIONS_INVALID', `rows has ${input.rows.length} entries for ${input.items.length} items`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((e: Error) => {
    throw new PsiError('STORE_WRITE_FAILED', `cannot create ${dir}: ${e.message}`, { cause: e });
  });
  const label = checkEpochLabel(opts.epoch ?? (await pendingEpoch(dir)) ?? utcLabel(new Date()));
  const paths = storePaths(dir, label);
  const prepared = prepareItems(input.items, suite.dst);
  const inputDigest = bytesToHex(sha256.create().update(prepared.packed).update(new Uint8Array(prepared.groupOf.buffer)).digest());
  const done = await readManifest(paths.manifest);
  if (done !== undefined)
    throw new PsiError('STORE_EPOCH_MISMATCH', `epoch ${label} of ${dir} is already prepared; choose another --epoch`);
  await mkdir(paths.epochDir, { recursive: true, mode: 0o700 });
  const { journal, key } = await startOrResume(paths, label, suite.name, inputDigest, segmentItems);
  const order = randomPermutation(prepared.count, keyedSource(hexToBytes(journal.orderSeed), []));
  const { starts, indices } = rowsByDistinct(prepared.groupOf, prepared.count);
  const segments = Math.ceil(prepared.count / segmentItems);
  const blinder = await createBlinder({ group: suite.name, key: key.slice(), backend, workers: opts.workers });
  try {
    for (let s = 0; s < segments; s++) {
      const from = s * segmentItems;
      const positions = order.subarray(from, Math.min(from + segmentItems, prepared.count));
      const recorded = journal.segments[s];
      if (recorded !== undefined) {
        // Written and journalled before the stop; a file damaged since is written again.
        const intact = await verifySegment(paths, s, recorded).then(
          () => true,
          () => false,
        );
        if (intact) {
          opts.onProgress?.(s + 1, segments);
          continue;
        }
        journal.segments.length = s;
      }
      opts.signal?.throwIfAborted();
      const elements = await blinder.blind(permutePacked(prepared.packed, positions, UNIFORM_BYTES));
      const rows = Array.from(positions, (d) =>
        Array.from(indices.subarray(starts[d], starts[d + 1]), (i): StoredRow => ({ index: i, source: 0, row: input.rows[i]! })),
      );
      journal.segments[s] = await writeSegment(paths, s, 0, elements, rows);
      await writeJson(paths.journal, journal);
      opts.onProgress?.(s + 1, segments);
    }
  } finally {
    await blinder.close();
    zeroize(key);
  }
  const manifest: Manifest = {
    format: STORE_FORMAT,
    group: suite.name,
    epoch: label,
    createdAt: journal.createdAt,
    updatedAt: new Date().toISOString(),
    elements: prepared.count,
    removed: 0,
    items: prepared.total,
    sources: 1,
    ...(input.columns === undefined ? {} : { columns: [...input.columns] }),
    segmentItems,
    segments: journal.segments,
  };
  await writeManifest(paths.manifest, manifest);
  await unlink(paths.journal).catch(() => undefined);
  if (opts.makeCurrent === true || (await currentEpoch(dir)) === undefined) await switchEpoch(dir, label);
  return manifest;
}
