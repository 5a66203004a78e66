import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { ELEMENT_BYTES, UNIFORM_BYTES } from '../group/constants.js';
import { createBlinder } from '../group/create-blinder.js';
import { workerThreads } from '../pool/threads.js';
import type { BackendChoice } from '../group/load.js';
import { PsiError } from '../errors.js';
import { prepareItems } from '../protocol/items.js';
import { permutePacked, randomPermutation } from '../random/shuffle.js';
import { protocolSuite } from '../protocol/suite.js';
import type { Blinder } from '../group/blinder.js';
import { readKeyFile } from './key-file.js';
import { currentEpoch, storePaths, type StorePaths } from './layout.js';
import { readManifest, writeManifest, type Manifest, type SegmentEntry } from './manifest.js';
import { decodeRowMap, type StoredRow } from './row-map.js';
import { readVerified, verifyStore } from './verify.js';
import { writeSegment } from './segment-files.js';
import type { StoreInput } from './writer.js';

/**
 * Options of {@link updateStore}.
 *
 * @example
 * ```ts
 * const opts: UpdateOptions = { add: { items: ['new@example.com'], rows: [{ line: 2, value: 'new@example.com' }] }, remove: ['gone@example.com'] };
 * ```
 */
export interface UpdateOptions {
  /** Users to add (rows name the added file's lines); one already stored gets the new rows beside its old ones. */
  add?: StoreInput;
  /** Identifiers to remove: their elements become placeholders and their rows are dropped. Wins over `add`. */
  remove?: readonly (string | Uint8Array)[];
  backend?: BackendChoice | undefined;
  workers?: number | undefined;
}

/**
 * What {@link updateStore} changed.
 *
 * @example
 * ```ts
 * const { added, removed, notFound } = await updateStore('store', { remove });
 * ```
 */
export interface UpdateResult {
  manifest: Manifest;
  /** New distinct identifiers appended. */
  added: number;
  /** Added identifiers that were stored already (their rows were added). */
  present: number;
  /** Stored identifiers replaced by placeholders. */
  removed: number;
  /** Identifiers to remove that the store does not hold. */
  notFound: number;
}

/** The packed elements as lookup keys: a first-word filter, then hex for the few that pass. */
function index(packed: Uint8Array): { words: Set<number>; byHex: Map<string, number> } {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const words = new Set<number>();
  const byHex = new Map<string, number>();
  for (let i = 0; i < packed.length / ELEMENT_BYTES; i++) {
    words.add(view.getUint32(i * ELEMENT_BYTES));
    byHex.set(bytesToHex(packed.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES)), i);
  }
  return { words, byHex };
}

/** A segment being rewritten: its elements and row lists, changed in place. */
interface Rewrite {
  elements: Uint8Array;
  rows: StoredRow[][];
}

async function blindAll(blinder: Blinder, packed: Uint8Array): Promise<Uint8Array> {
  return packed.length === 0 ? new Uint8Array(0) : blinder.blind(packed);
}

/** Finds stored positions of `removeIdx` and `addIdx` elements in one pass over the segments. */
async function scan(
  paths: StorePaths,
  manifest: Manifest,
  lookups: { words: Set<number>; byHex: Map<string, number> }[],
): Promise<{ segment: number; k: number; which: number; i: number }[]> {
  const found: { segment: number; k: number; which: number; i: number }[] = [];
  for (const [s, entry] of manifest.segments.entries()) {
    const bytes = await readVerified(paths.elements(s, entry.gen), entry.elements);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k < entry.count; k++) {
      const word = view.getUint32(k * ELEMENT_BYTES);
      lookups.forEach((lookup, which) => {
        if (!lookup.words.has(word)) return;
        const i = lookup.byHex.get(bytesToHex(bytes.subarray(k * ELEMENT_BYTES, (k + 1) * ELEMENT_BYTES)));
        if (i !== undefined) found.push({ segment: s, k, which, i });
      });
    }
  }
  return found;
}

/**
 * `prepare --add/--remove`: changes the current epoch of the store in `dir`
 * without blinding its other users again. Added users are blinded under the
 * epoch key and appended as new segments (in a fresh random order); removed
 * ones are found by blinding them, their element replaced by a placeholder (a
 * random element, which matches nothing) and their rows dropped, so positions
 * and the other segments stay as they are. Changed segments are written under
 * a new generation and the manifest last, so a service keeps reading a
 * consistent store and a crash leaves the old one in force (rerun the update).
 *
 * @example
 * ```ts
 * await updateStore('/var/lib/blindjoin/store', { add: { items, rows }, remove: optedOut });
 * ```
 */
export async function updateStore(dir: string, opts: UpdateOptions): Promise<UpdateResult> {
  const epoch = await currentEpoch(dir);
  if (epoch === undefined)
    throw new PsiError('STORE_NOT_FOUND', `${dir} is not a prepared store (no current epoch); run blindjoin prepare`);
  const paths = storePaths(dir, epoch);
  const manifest = await readManifest(paths.manifest);
  if (manifest === undefined) throw new PsiError('STORE_INCOMPLETE', `epoch ${epoch} of ${dir} has no manifest`);
  const add = opts.add ?? { items: [], rows: [] };
  if (add.rows.length !== add.items.length)
    throw new PsiError('OPTIONS_INVALID', `add has ${add.rows.length} rows for ${add.items.length} items`);
  await verifyStore(paths, manifest);
  const suite = protocolSuite(manifest.group);
  const key = await readKeyFile(paths.key);
  const blinder = await createBlinder({ group: suite.name, key, backend: opts.backend, workers: opts.workers, threads: workerThreads });
  try {
    const removing = await blindAll(blinder, prepareItems(opts.remove ?? [], suite.dst).packed);
    const adding = prepareItems(add.items, suite.dst);
    const added = await blindAll(blinder, adding.packed);
    const removeIdx = index(removing);
    const addIdx = index(added);
    const found = await scan(paths, manifest, [removeIdx, addIdx]);
    const removedHere = new Set(found.filter((f) => f.which === 0).map((f) => f.i));
    // An identifier both added and removed ends removed: drop it from the additions.
    const cancelled = new Set<number>();
    for (const [hex, d] of addIdx.byHex) if (removeIdx.byHex.has(hex)) cancelled.add(d);
    const byDistinct = Array.from({ length: adding.count }, (): StoredRow[] => []);
    adding.groupOf.forEach((d, i) => byDistinct[d]!.push({ index: manifest.items + i, source: manifest.sources, row: add.rows[i]! }));
    const rowsOf = (d: number): StoredRow[] => byDistinct[d]!;
    const rewrites = new Map<number, Rewrite>();
    const rewrite = async (s: number): Promise<Rewrite> => {
      const held = rewrites.get(s);
      if (held !== undefined) return held;
      const entry = manifest.segments[s]!;
      const fresh = {
        elements: (await readVerified(paths.elements(s, entry.gen), entry.elements)).slice(),
        rows: decodeRowMap(await readVerified(paths.rows(s, entry.gen), entry.rows), paths.rows(s, entry.gen)),
      };
      rewrites.set(s, fresh);
      return fresh;
    };
    const present = new Set<number>();
    const placeholders = found.filter((f) => f.which === 0);
    const randomElements = await blindAll(blinder, randomBytes(placeholders.length * UNIFORM_BYTES));
    for (const [n, f] of placeholders.entries()) {
      const seg = await rewrite(f.segment);
      seg.elements.set(randomElements.subarray(n * ELEMENT_BYTES, (n + 1) * ELEMENT_BYTES), f.k * ELEMENT_BYTES);
      seg.rows[f.k] = [];
    }
    for (const f of found.filter((x) => x.which === 1 && !cancelled.has(x.i))) {
      present.add(f.i);
      (await rewrite(f.segment)).rows[f.k]!.push(...rowsOf(f.i));
    }
    const segments: SegmentEntry[] = [...manifest.segments];
    for (const [s, seg] of rewrites) segments[s] = await writeSegment(paths, s, manifest.segments[s]!.gen + 1, seg.elements, seg.rows);
    const fresh = Array.from({ length: adding.count }, (_, d) => d).filter((d) => !present.has(d) && !cancelled.has(d));
    const order = randomPermutation(fresh.length);
    const shuffled = Uint32Array.from(order, (p) => fresh[p]!);
    for (let from = 0; from < shuffled.length; from += manifest.segmentItems) {
      const ds = shuffled.subarray(from, from + manifest.segmentItems);
      const elements = permutePacked(added, ds, ELEMENT_BYTES);
      segments.push(await writeSegment(paths, segments.length, 0, elements, Array.from(ds, rowsOf)));
    }
    const next: Manifest = {
      ...manifest,
      updatedAt: new Date().toISOString(),
      elements: manifest.elements + fresh.length,
      removed: manifest.removed + removedHere.size,
      items: manifest.items + add.items.length,
      sources: manifest.sources + (add.items.length > 0 ? 1 : 0),
      segments,
    };
    await writeManifest(paths.manifest, next);
    return {
      manifest: next,
      added: fresh.length,
      present: present.size,
      removed: removedHere.size,
      notFound: removing.length / ELEMENT_BYTES - removedHere.size,
    };
  } finally {
    await blinder.close();
  }
}
