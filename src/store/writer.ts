import { hexToBytes } from '@noble/hashes/utils.js';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import { zeroize } from '../group/scalar.js';
import { checkBackendChoice, type GroupName } from '../group/suite.js';
import { protocolSuite } from '../protocol/suite.js';
import { integerIn } from '../validate.js';
import { blindHere } from './blind-here.js';
import { openJournal, pendingEpoch, settleInput, writeJson } from './journal.js';
import { checkEpochLabel, currentEpoch, storePaths, switchEpoch } from './layout.js';
import { readManifest, STORE_FORMAT, writeManifest, type Manifest, type SegmentEntry } from './manifest.js';
import { orderedSegments, partitionInput, planLeaves, type StreamedRow } from './partition.js';
import type { InputRow } from './row-map.js';
import type { SinkFactory } from './segment-sink.js';
import { verifySegment } from './verify.js';

/** Elements per segment by default: 2 MiB files, a few hundred for 10^7 users. */
export const DEFAULT_SEGMENT_ITEMS = 1 << 16;

/**
 * The platform's users as `prepare` takes them in memory: identifiers, and the input row of each.
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
 * The platform's users as `prepare` streams them: rows read once, in order,
 * each with its identifiers, never held whole (10^7 users in bounded memory).
 *
 * @example
 * ```ts
 * const input: StoreRows = { rows: readUsers('users.csv'), expectedItems: 10_000_000 };
 * ```
 */
export interface StoreRows {
  rows: AsyncIterable<StreamedRow> | Iterable<StreamedRow>;
  /** Names of the rows' `cells` (as in {@link StoreInput}). */
  columns?: readonly string[];
  /** About how many identifiers the rows hold: sizes the buckets on disk (a wrong guess costs a little time, not memory). */
  expectedItems?: number;
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
  group?: GroupName | undefined;
  backend?: BackendChoice | undefined;
  workers?: number | undefined;
  /** Elements per segment; default {@link DEFAULT_SEGMENT_ITEMS}. */
  segmentItems?: number;
  /** Make this epoch the one served once it is complete; default only when the store serves none yet. */
  makeCurrent?: boolean;
  /** Called after each segment is safely written, or found written by an earlier run. */
  onProgress?: (segmentsDone: number, segments: number) => void;
  /** Called once the input is read and its distinct users counted, before any blinding. */
  onInput?: (items: number, distinct: number) => void;
  /** Stops between segments; a rerun resumes after the last one written. */
  signal?: AbortSignal;
  /** Who blinds the segments: this process (default), or workers on a job queue (`queueSink`). */
  sink?: SinkFactory;
}

function utcLabel(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function* arrayRows(input: StoreInput): Generator<StreamedRow> {
  for (let i = 0; i < input.items.length; i++) yield { row: input.rows[i]!, items: [input.items[i]!] };
}

async function intact(paths: ReturnType<typeof storePaths>, index: number, entry: SegmentEntry | null | undefined): Promise<boolean> {
  if (entry === null || entry === undefined) return false;
  return verifySegment(paths, index, entry).then(
    () => true,
    () => false,
  );
}

/**
 * `blindjoin prepare`: hashes and blinds the platform's users once under a new
 * epoch key and writes them to the store in `dir` as segments in a random order
 * fixed here, with the row map, the key file (0600) and, last, the manifest.
 *
 * The input is streamed: rows are read once and spread over bucket files on
 * disk by a keyed hash of each identifier, then each bucket (a bounded slice)
 * is deduplicated and shuffled on its own, so memory does not grow with the
 * number of users while the stored order stays a uniformly random permutation.
 * Each segment is written atomically and recorded in a journal, so a run that
 * stopped (crash, signal, `opts.signal`) continues where it stopped when rerun
 * with the same input; with `opts.sink` set to a queue, workers blind the
 * segments and the manifest is written only once each one verifies. Returns the manifest.
 *
 * @example
 * ```ts
 * const manifest = await prepareStore('/var/lib/blindjoin/store', { items, rows }, { epoch: '2026-12' });
 * ```
 */
export async function prepareStore(dir: string, input: StoreInput | StoreRows, opts: PrepareOptions = {}): Promise<Manifest> {
  const suite = protocolSuite(opts.group);
  const backend = checkBackendChoice(opts.backend, suite);
  const segmentItems = opts.segmentItems === undefined ? DEFAULT_SEGMENT_ITEMS : integerIn(opts.segmentItems, 'segmentItems', 1, 1 << 24);
  const inMemory = 'items' in input;
  if (inMemory && input.rows.length !== input.items.length) {
    throw new PsiError('OPTIONS_INVALID', `rows has ${input.rows.length} entries for ${input.items.length} items`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((e: Error) => {
    throw new PsiError('STORE_WRITE_FAILED', `cannot create ${dir}: ${e.message}`, { cause: e });
  });
  const label = checkEpochLabel(opts.epoch ?? (await pendingEpoch(dir)) ?? utcLabel(new Date()));
  const paths = storePaths(dir, label);
  if ((await readManifest(paths.manifest)) !== undefined)
    throw new PsiError('STORE_EPOCH_MISMATCH', `epoch ${label} of ${dir} is already prepared; choose another --epoch`);
  await mkdir(paths.epochDir, { recursive: true, mode: 0o700 });
  const { journal, key } = await openJournal(paths, label, suite.name, segmentItems);
  const work = join(paths.epochDir, 'work');
  const orderKey = hexToBytes(journal.orderSeed);
  try {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { mode: 0o700 });
    const parts = await partitionInput(inMemory ? arrayRows(input) : input.rows, {
      prefix: join(work, 'b'),
      dst: suite.dst,
      orderKey,
      expected: inMemory ? input.items.length : (input.expectedItems ?? 0),
    });
    await settleInput(paths, journal, parts.digest);
    const leaves = planLeaves(parts.buckets, orderKey);
    const distinct = leaves.reduce((n, leaf) => n + leaf.distinct, 0);
    opts.onInput?.(parts.items, distinct);
    const segments = Math.ceil(distinct / segmentItems);
    let done = 0;
    const sink = await (opts.sink ?? blindHere)({
      paths,
      label,
      group: suite.name,
      key: key.slice(),
      segments,
      ...(backend === undefined ? {} : { backend }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      async written(index, entry) {
        journal.segments[index] = entry;
        await writeJson(paths.journal, journal);
        opts.onProgress?.(++done, segments);
      },
    });
    try {
      await orderedSegments(leaves, segmentItems, orderKey, async (s, packed, entries) => {
        // Written and journalled before a stop: kept; a file damaged since is written again.
        if (await intact(paths, s, journal.segments[s])) {
          opts.onProgress?.(++done, segments);
          return;
        }
        journal.segments[s] = null;
        opts.signal?.throwIfAborted();
        await sink.put(s, packed, entries);
      });
      await sink.drain();
    } finally {
      await sink.close();
    }
    for (let s = 0; s < segments; s++) {
      if (!(await intact(paths, s, journal.segments[s]))) throw new PsiError('STORE_INCOMPLETE', `segment ${s} of ${label} did not verify`);
    }
    const manifest: Manifest = {
      format: STORE_FORMAT,
      group: suite.name,
      epoch: label,
      createdAt: journal.createdAt,
      updatedAt: new Date().toISOString(),
      elements: distinct,
      removed: 0,
      items: parts.items,
      sources: 1,
      ...(input.columns === undefined ? {} : { columns: [...input.columns] }),
      segmentItems,
      segments: journal.segments.slice(0, segments) as SegmentEntry[],
    };
    await writeManifest(paths.manifest, manifest);
    await rm(paths.journal, { force: true });
    await rm(work, { recursive: true, force: true });
    if (opts.makeCurrent === true || (await currentEpoch(dir)) === undefined) await switchEpoch(dir, label);
    return manifest;
  } finally {
    zeroize(key);
    zeroize(orderKey);
  }
}
