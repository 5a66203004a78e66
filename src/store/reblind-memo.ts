import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { concatParts, sameBytes } from '../bytes.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { byteOrder, compareSpans } from '../join/byte-order.js';
import { writeFileAtomic } from '../atomic-file.js';

const MAGIC = new TextEncoder().encode('BJRM');
const FORMAT_VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + 4;
const CHECKSUM_BYTES = 32;
/** One memo record: the peer's element, then the same element re-blinded under the store's key. */
const RECORD_BYTES = 2 * ELEMENT_BYTES;

/**
 * Most peer elements one session records: past it the memo keeps what it held
 * (64 bytes an element: 64 MiB at this bound).
 */
export const REBLIND_MEMO_MAX_ITEMS = 1 << 20;

/**
 * What a relationship's last completed session re-blinded of the client's
 * elements, kept beside its kept set so that a refresh multiplies only the
 * elements it has not seen (the client sends its unchanged items as the same
 * bytes: `BlindedCache`). Each record maps a client element `e` to `e^k` under
 * the store epoch's key `k`: a function of the bytes alone, valid for the epoch
 * whichever key or session the client used, so a stale record is never wrong.
 * An element is only ever recorded after the backend accepted it (RFC 7748 §5:
 * not of small order; canonical encodings), so a hit is an element that passed
 * every check before.
 *
 * The file: magic `BJRM`, format version, record count, the records (element,
 * re-blinded element) in ascending byte order of the element, each element
 * once, and a SHA-256 of all that precedes. A file that is missing, of another
 * format or fails its checksum is ignored (everything is multiplied afresh); its
 * SHA-256 is {@link ReblindMemo.digest}, bound into the release seed.
 *
 * Lookups are binary searches: a client choosing its elements to share
 * prefixes slows nothing beyond O(log n) comparisons each.
 *
 * @example
 * ```ts
 * const memo = await ReblindMemo.open(join(dir, 'memo.reblinded'));
 * const reblinded = await memo.reblind(peerChunk, (missing) => blinder.reblind(missing));
 * await memo.keep(join(dir, 'memo.reblinded')); // after the session completed
 * ```
 */
export class ReblindMemo {
  /** SHA-256 of the file read, or undefined when none was usable. */
  readonly digest: Uint8Array | undefined;
  readonly #records: Uint8Array;
  readonly #count: number;
  #seen: Uint8Array[] = [];
  #seenCount = 0;
  #hits = 0;

  private constructor(records: Uint8Array, digest: Uint8Array | undefined) {
    this.#records = records;
    this.#count = records.length / RECORD_BYTES;
    this.digest = digest;
  }

  /** Reads the memo kept at `path`; an absent, foreign or damaged file gives an empty one. */
  static async open(path: string): Promise<ReblindMemo> {
    const bytes = await readFile(path).catch(() => undefined);
    const records = bytes === undefined ? undefined : recordsOf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    // Empty, it still records this session's elements.
    if (records === undefined) return new ReblindMemo(new Uint8Array(0), undefined);
    return new ReblindMemo(records, new Uint8Array(createHash('sha256').update(bytes!).digest()));
  }

  /** Elements served from the memo this session. */
  get hits(): number {
    return this.#hits;
  }

  /**
   * The packed `elements` re-blinded: each one the memo holds from its record,
   * the others by `compute` (called once, on the missing ones packed in order,
   * unless none is). Records every pair for {@link keep}.
   */
  async reblind(elements: Uint8Array, compute: (missing: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> {
    const count = elements.length / ELEMENT_BYTES;
    const out = new Uint8Array(elements.length);
    const missing: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = this.#find(elements, i * ELEMENT_BYTES);
      if (r < 0) missing.push(i);
      else out.set(this.#records.subarray(r * RECORD_BYTES + ELEMENT_BYTES, (r + 1) * RECORD_BYTES), i * ELEMENT_BYTES);
    }
    if (missing.length > 0) {
      const packed = new Uint8Array(missing.length * ELEMENT_BYTES);
      missing.forEach((i, m) => packed.set(elements.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES), m * ELEMENT_BYTES));
      const computed = await compute(packed);
      missing.forEach((i, m) => out.set(computed.subarray(m * ELEMENT_BYTES, (m + 1) * ELEMENT_BYTES), i * ELEMENT_BYTES));
    }
    this.#hits += count - missing.length;
    this.#record(elements, out);
    return out;
  }

  /**
   * Replaces the file at `path` with this session's pairs (atomically); keeps
   * the old file when the session recorded nothing or more than
   * {@link REBLIND_MEMO_MAX_ITEMS}.
   */
  async keep(path: string): Promise<void> {
    if (this.#seenCount === 0 || this.#seenCount > REBLIND_MEMO_MAX_ITEMS) return;
    const pairs = concatParts(this.#seen);
    const order = byteOrder(pairs, RECORD_BYTES);
    const sorted = new Uint8Array(pairs.length);
    let kept = 0;
    for (const i of order) {
      // Rows may repeat an element: each is kept once.
      if (kept > 0 && compareSpans(sorted, (kept - 1) * RECORD_BYTES, pairs, i * RECORD_BYTES, ELEMENT_BYTES) === 0) continue;
      sorted.set(pairs.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES), kept * RECORD_BYTES);
      kept++;
    }
    const body = new Uint8Array(HEADER_BYTES + kept * RECORD_BYTES);
    body.set(MAGIC, 0);
    body[MAGIC.length] = FORMAT_VERSION;
    new DataView(body.buffer).setUint32(MAGIC.length + 1, kept);
    body.set(sorted.subarray(0, kept * RECORD_BYTES), HEADER_BYTES);
    await writeFileAtomic(path, concatParts([body, createHash('sha256').update(body).digest()]));
  }

  /** The record of the element at `at` of `elements`, or -1. */
  #find(elements: Uint8Array, at: number): number {
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const d = compareSpans(this.#records, mid * RECORD_BYTES, elements, at, ELEMENT_BYTES);
      if (d === 0) return mid;
      if (d < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  #record(elements: Uint8Array, reblinded: Uint8Array): void {
    const count = elements.length / ELEMENT_BYTES;
    this.#seenCount += count;
    if (this.#seenCount > REBLIND_MEMO_MAX_ITEMS) {
      this.#seen = [];
      return;
    }
    const pairs = new Uint8Array(count * RECORD_BYTES);
    for (let i = 0; i < count; i++) {
      pairs.set(elements.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES), i * RECORD_BYTES);
      pairs.set(reblinded.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES), i * RECORD_BYTES + ELEMENT_BYTES);
    }
    this.#seen.push(pairs);
  }
}

/** The records of a memo file, or undefined when it is not one of this format or fails its checksum. */
function recordsOf(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES || !sameBytes(bytes.subarray(0, MAGIC.length), MAGIC)) return undefined;
  if (bytes[MAGIC.length] !== FORMAT_VERSION) return undefined;
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const count = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(MAGIC.length + 1);
  if (body.length !== HEADER_BYTES + count * RECORD_BYTES) return undefined;
  if (!sameBytes(createHash('sha256').update(body).digest(), bytes.subarray(body.length))) return undefined;
  return body.subarray(HEADER_BYTES);
}
