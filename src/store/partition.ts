import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { keyedSource } from '../random/drbg.js';
import { PsiError } from '../errors.js';
import { UNIFORM_BYTES } from '../group/constants.js';
import { expandMessages } from '../group/hash.js';
import { checkItems } from '../protocol/items.js';
import { groupBucket, orderBucket } from './bucket-order.js';
import { BucketWriter, bucketRecords, type BucketFile } from './buckets.js';
import { rowText, type InputRow } from './row-map.js';

/**
 * One input row as a streamed `prepare` reads it: the row results name, and
 * its identifiers (one or more; each becomes a stored item naming this row).
 *
 * @example
 * ```ts
 * const row: StreamedRow = { row: { line: 2, value: 'ann@example.com' }, items: ['ann@example.com'] };
 * ```
 */
export interface StreamedRow {
  row: InputRow;
  items: readonly (string | Uint8Array)[];
}

/** Records a bucket should hold: about 15 MiB of them, loaded one bucket at a time. */
const BUCKET_RECORDS = 1 << 17;
/** A bucket with more records than this is split before it is loaded. */
const MAX_BUCKET_RECORDS = 1 << 18;
/** Buckets written at once (an open file and a 64 KiB buffer each). */
const MAX_BUCKETS = 256;
/** Split levels at most: a bucket still too large after them holds mostly copies of a few items. */
const MAX_LEVELS = 4;
/** Items hashed per call of expand_message_xmd. */
const BATCH = 4096;

/**
 * An input spread over bucket files: the buckets in order, the number of
 * items read (duplicates included), and the SHA-256 of every record in input
 * order (a resumed run must see the same input).
 *
 * @example
 * ```ts
 * const { buckets, items, digest } = await partitionInput(rows, { prefix: 'work/b', dst, orderKey, expected: 10_000_000 });
 * ```
 */
export interface Partitioned {
  buckets: BucketFile[];
  items: number;
  digest: string;
}

/**
 * Reads `rows` once, in order, and writes each identifier as a record (its
 * hash-to-group bytes under `dst`, RFC 9380 §5.3.1, and its row's text) to
 * the bucket of {@link bucketOf}: memory holds a batch of rows and the
 * buckets' buffers, whatever the number of users. `expected` (items) sizes
 * the number of buckets; a wrong guess only costs a split later.
 *
 * @example
 * ```ts
 * const parts = await partitionInput(rows, { prefix: 'store/epoch-e1/work/b', dst: suite.dst, orderKey, expected: 1e6 });
 * ```
 */
export async function partitionInput(
  rows: AsyncIterable<StreamedRow> | Iterable<StreamedRow>,
  opts: { prefix: string; dst: string; orderKey: Uint8Array; expected: number },
): Promise<Partitioned> {
  const count = Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(opts.expected / BUCKET_RECORDS)));
  const writer = new BucketWriter(opts.prefix, count, opts.orderKey, 0);
  const digest = createHash('sha256');
  const utf8 = new TextEncoder();
  const length = new Uint8Array(4);
  const lengthView = new DataView(length.buffer);
  let items = 0;
  let buckets: BucketFile[];
  let batch: (string | Uint8Array)[] = [];
  let texts: Uint8Array[] = [];
  const flush = () => {
    const packed = expandMessages(batch, opts.dst);
    texts.forEach((text, i) => {
      const uniform = packed.subarray(i * UNIFORM_BYTES, (i + 1) * UNIFORM_BYTES);
      writer.add(uniform, text);
      lengthView.setUint32(0, text.length, true);
      digest.update(uniform).update(length).update(text);
    });
    batch = [];
    texts = [];
  };
  try {
    for await (const { row, items: own } of rows) {
      checkItems(own);
      for (const item of own) {
        texts.push(utf8.encode(rowText({ index: items++, source: 0, row })));
        batch.push(item);
      }
      if (batch.length >= BATCH) flush();
    }
    flush();
  } finally {
    buckets = writer.close();
  }
  if (items > 0xffff_ffff) throw new PsiError('TOO_MANY_ITEMS', 'at most 2^32 - 1 items in a store');
  return { buckets, items, digest: digest.digest('hex') };
}

/**
 * A bucket small enough to load, and its distinct items.
 *
 * @example
 * ```ts
 * const leaf: Leaf = { path: 'work/b-3', records: 120_000, name: '3', distinct: 119_998 };
 * ```
 */
export interface Leaf extends BucketFile {
  /** Which bucket it is, e.g. `3` or, split, `3.1`: names its shuffle's random stream. */
  name: string;
  distinct: number;
}

/**
 * Splits every bucket too large to load (into sub-buckets by a further keyed
 * hash, in place of it in the order) and counts the distinct items of each
 * resulting leaf, one leaf in memory at a time.
 *
 * @example
 * ```ts
 * const leaves = planLeaves(parts.buckets, orderKey);
 * const distinct = leaves.reduce((n, l) => n + l.distinct, 0);
 * ```
 */
export function planLeaves(buckets: readonly BucketFile[], orderKey: Uint8Array): Leaf[] {
  const leaves: Leaf[] = [];
  const visit = (bucket: BucketFile, name: string, level: number): void => {
    if (bucket.records > MAX_BUCKET_RECORDS && level < MAX_LEVELS) {
      const parts = Math.min(MAX_BUCKETS, Math.ceil(bucket.records / BUCKET_RECORDS));
      const writer = new BucketWriter(bucket.path, parts, orderKey, level + 1);
      let subs: BucketFile[];
      try {
        for (const { uniform, text } of bucketRecords(bucket.path)) writer.add(uniform, text);
      } finally {
        subs = writer.close();
      }
      unlinkSync(bucket.path);
      subs.forEach((sub, i) => visit(sub, `${name}.${i}`, level + 1));
      return;
    }
    const distinct = bucket.records === 0 ? 0 : groupBucket(readFileSync(bucket.path), bucket.path).firsts.length;
    leaves.push({ ...bucket, name, distinct });
  };
  buckets.forEach((bucket, b) => visit(bucket, String(b), 0));
  return leaves;
}

/**
 * The store's elements in their random order, cut into segments of
 * `segmentItems`: leaves in order, each shuffled by its own stream of the
 * order key. Since every distinct item fell into a leaf independently and
 * uniformly (a keyed hash) and each leaf is shuffled uniformly, the
 * concatenation is a uniformly random permutation of the distinct items,
 * however large each leaf turned out. Calls `onSegment` with each segment's
 * hash-to-group bytes and row-map entries, one at a time.
 *
 * @example
 * ```ts
 * await orderedSegments(leaves, 65_536, orderKey, async (s, packed, entries) => write(s, await blinder.blind(packed), entries));
 * ```
 */
export async function orderedSegments(
  leaves: readonly Leaf[],
  segmentItems: number,
  orderKey: Uint8Array,
  onSegment: (index: number, packed: Uint8Array, entries: Uint8Array[]) => Promise<void>,
): Promise<number> {
  const utf8 = new TextEncoder();
  let packed = new Uint8Array(segmentItems * UNIFORM_BYTES);
  let entries: Uint8Array[] = [];
  let segment = 0;
  const emit = async () => {
    await onSegment(segment++, packed.subarray(0, entries.length * UNIFORM_BYTES), entries);
    packed = new Uint8Array(segmentItems * UNIFORM_BYTES);
    entries = [];
  };
  for (const leaf of leaves) {
    if (leaf.distinct === 0) continue;
    const ordered = orderBucket(groupBucket(readFileSync(leaf.path), leaf.path), keyedSource(orderKey, [utf8.encode(`leaf ${leaf.name}`)]));
    for (let k = 0; k < ordered.entries.length; k++) {
      packed.set(ordered.packed.subarray(k * UNIFORM_BYTES, (k + 1) * UNIFORM_BYTES), entries.length * UNIFORM_BYTES);
      entries.push(ordered.entries[k]!);
      if (entries.length === segmentItems) await emit();
    }
  }
  if (entries.length > 0) await emit();
  return segment;
}
