import { access, open } from 'node:fs/promises';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { zeroize } from '../group/scalar.js';
import type { GroupName } from '../group/suite.js';
import type { StoredSet } from '../protocol/stored-set.js';
import { readKeyFile } from './key-file.js';
import { currentEpoch, storePaths, type StorePaths } from './layout.js';
import { readManifest, type Manifest } from './manifest.js';
import { readRowEntries, type StoredRow } from './row-map.js';
import { verifyStore } from './verify.js';

/**
 * Options of {@link openStore}.
 *
 * @example
 * ```ts
 * const opts: OpenStoreOptions = { epoch: '2026-12', group: 'x25519' };
 * ```
 */
export interface OpenStoreOptions {
  /** Epoch expected (default: whichever `current` names); another is `STORE_EPOCH_MISMATCH`. */
  epoch?: string;
  /** Group suite expected; another is `STORE_EPOCH_MISMATCH`. */
  group?: GroupName | undefined;
}

/**
 * A verified store epoch, open for serving: its elements as a {@link StoredSet}
 * (shared by every session; each reads its own chunks) and its row map.
 *
 * @example
 * ```ts
 * const store = await openStore('/var/lib/blindjoin/store');
 * const rows = await store.rowsOf([3, 17]); // the input rows behind stored positions 3 and 17
 * store.close();
 * ```
 */
export interface OpenedStore {
  readonly dir: string;
  readonly epoch: string;
  readonly manifest: Manifest;
  readonly set: StoredSet;
  /** The input rows behind stored positions, in input order (by index). */
  rowsOf(positions: readonly number[]): Promise<StoredRow[]>;
  /** The input rows behind each stored position, in the order of `positions` (none for a removed one). */
  entriesOf(positions: readonly number[]): Promise<StoredRow[][]>;
  /** Zeroises the key; later reads of the key throw `SET_DESTROYED`. */
  close(): void;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Which epoch to open: the one asked for must be the current one. */
async function epochToOpen(dir: string, expected: string | undefined): Promise<string> {
  const current = await currentEpoch(dir);
  if (current === undefined) {
    const pending = expected !== undefined && (await exists(storePaths(dir, expected).journal));
    throw pending
      ? new PsiError('STORE_INCOMPLETE', `epoch ${expected} of ${dir} was not fully prepared; rerun prepare to resume it`)
      : new PsiError('STORE_NOT_FOUND', `${dir} is not a prepared store (no current epoch); run blindjoin prepare`);
  }
  if (expected !== undefined && expected !== current) {
    throw new PsiError('STORE_EPOCH_MISMATCH', `${dir} serves epoch ${current}, not ${expected}`);
  }
  return current;
}

/** Start position of each segment, and the total after the last. */
function segmentStarts(manifest: Manifest): number[] {
  const starts = [0];
  for (const s of manifest.segments) starts.push(starts.at(-1)! + s.count);
  return starts;
}

/**
 * The run holding `position`, given ascending run starts ending with the total
 * (binary search): a segment of the store, or a run of a relationship's view.
 *
 * @example
 * ```ts
 * runOf([0, 100, 250], 120); // 1
 * ```
 */
export function runOf(starts: readonly number[], position: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= position) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Reads elements [from, to) of the store, across segment files. */
async function readElements(
  paths: StorePaths,
  manifest: Manifest,
  starts: readonly number[],
  from: number,
  to: number,
): Promise<Uint8Array> {
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from <= to && to <= manifest.elements)) {
    throw new PsiError('OPTIONS_INVALID', `cannot read elements [${from}, ${to}) of a store of ${manifest.elements}`);
  }
  const out = new Uint8Array((to - from) * ELEMENT_BYTES);
  for (let at = from; at < to;) {
    const s = runOf(starts, at);
    const segment = manifest.segments[s]!;
    const end = Math.min(to, starts[s]! + segment.count);
    const file = await open(paths.elements(s, segment.gen), 'r');
    try {
      const { bytesRead } = await file.read(
        out,
        (at - from) * ELEMENT_BYTES,
        (end - at) * ELEMENT_BYTES,
        (at - starts[s]!) * ELEMENT_BYTES,
      );
      if (bytesRead !== (end - at) * ELEMENT_BYTES) throw new PsiError('STORE_CORRUPT', `${paths.elements(s, segment.gen)} was truncated`);
    } finally {
      await file.close();
    }
    at = end;
  }
  return out;
}

/**
 * Opens the current epoch of the store in `dir` after checking it: the key file
 * must be the owner's alone (`STORE_KEY_EXPOSED`), the manifest must name the
 * epoch and group expected (`STORE_EPOCH_MISMATCH`), and every segment must
 * match its checksum (`STORE_CORRUPT`). Nothing is served from a store that fails.
 *
 * @example
 * ```ts
 * const store = await openStore('store', { group: 'x25519' });
 * createParty({ role: 'responder', storedSet: store.set, learn: 'intersection', peerLearns: 'released' });
 * ```
 */
export async function openStore(dir: string, opts: OpenStoreOptions = {}): Promise<OpenedStore> {
  const epoch = await epochToOpen(dir, opts.epoch);
  const paths = storePaths(dir, epoch);
  const manifest = await readManifest(paths.manifest);
  if (manifest === undefined) {
    throw (await exists(paths.journal))
      ? new PsiError('STORE_INCOMPLETE', `epoch ${epoch} of ${dir} has no manifest; rerun prepare to finish it`)
      : new PsiError('STORE_NOT_FOUND', `${dir} names epoch ${epoch}, which has no manifest (${paths.manifest})`);
  }
  if (manifest.epoch !== epoch) {
    throw new PsiError('STORE_EPOCH_MISMATCH', `${paths.manifest} describes epoch ${manifest.epoch}, but sits in epoch ${epoch}`);
  }
  if (opts.group !== undefined && opts.group !== manifest.group) {
    throw new PsiError('STORE_EPOCH_MISMATCH', `${dir} was blinded in ${manifest.group}, not ${opts.group}`);
  }
  const key = await readKeyFile(paths.key);
  try {
    await verifyStore(paths, manifest);
  } catch (e) {
    zeroize(key);
    throw e;
  }
  const starts = segmentStarts(manifest);
  let closed = false;
  /** The row-map entry of each stored position, in the order given: one file per segment touched. */
  const entriesOf = async (positions: readonly number[]): Promise<StoredRow[][]> => {
    const bySegment = new Map<number, { ks: number[]; at: number[] }>();
    positions.forEach((p, at) => {
      const s = runOf(starts, p);
      const list = bySegment.get(s) ?? { ks: [], at: [] };
      list.ks.push(p - starts[s]!);
      list.at.push(at);
      bySegment.set(s, list);
    });
    const entries = new Array<StoredRow[]>(positions.length);
    for (const [s, { ks, at }] of bySegment) {
      (await readRowEntries(paths.rows(s, manifest.segments[s]!.gen), ks)).forEach((entry, k) => (entries[at[k]!] = entry));
    }
    return entries;
  };
  return {
    dir,
    epoch,
    manifest,
    set: {
      group: manifest.group,
      size: manifest.elements,
      copyKey() {
        if (closed) throw new PsiError('SET_DESTROYED', `the store epoch ${epoch} was closed`);
        return key.slice();
      },
      read: (from, to) => readElements(paths, manifest, starts, from, to),
    },
    rowsOf: async (positions) => (await entriesOf(positions)).flat().sort((a, b) => a.index - b.index),
    entriesOf,
    close() {
      closed = true;
      zeroize(key);
    },
  };
}
