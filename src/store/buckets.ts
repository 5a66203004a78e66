import { createHmac } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { PsiError } from '../errors.js';
import { UNIFORM_BYTES } from '../group/constants.js';

/**
 * Bytes before a record's row text: the item's 64 hash-to-group bytes, then the text's length (u32 LE).
 *
 * @example
 * ```ts
 * const textLength = view.getUint32(at + UNIFORM_BYTES, true); // at + RECORD_HEAD is where the text starts
 * ```
 */
export const RECORD_HEAD = UNIFORM_BYTES + 4;

/** What each bucket buffers before it writes to its file. */
const BUFFER_BYTES = 1 << 16;

/**
 * The bucket of an item among `buckets`: HMAC-SHA256 under the epoch's secret
 * order key of the split level and the item's hash-to-group bytes, reduced
 * from 48 bits (a bias under 2^-40). Every occurrence of an item lands in one
 * bucket, so duplicates are found per bucket; distinct items land
 * independently and uniformly, and without the key nobody can tell which
 * bucket, hence which part of the store, an identifier went to.
 *
 * @example
 * ```ts
 * const b = bucketOf(orderKey, 0, uniform, 64); // 0..63
 * ```
 */
export function bucketOf(orderKey: Uint8Array, level: number, uniform: Uint8Array, buckets: number): number {
  const mac = createHmac('sha256', orderKey).update(Uint8Array.of(level)).update(uniform).digest();
  return mac.readUIntLE(0, 6) % buckets;
}

/**
 * A bucket file once written: its path and the records it holds.
 *
 * @example
 * ```ts
 * const bucket: BucketFile = { path: 'work/b-3', records: 120_000 };
 * ```
 */
export interface BucketFile {
  path: string;
  records: number;
}

/**
 * Bucket files being appended to, a 64 KiB buffer each: records of an item
 * (its 64 hash-to-group bytes and the row text of one of its input rows) go
 * to the bucket {@link bucketOf} names, in the order they are added.
 *
 * @example
 * ```ts
 * const files = new BucketWriter('work/b', 16, orderKey, 0);
 * files.add(uniform, rowBytes);
 * const buckets = files.close();
 * ```
 */
export class BucketWriter {
  private readonly fds: number[] = [];
  private readonly buffers: Uint8Array[] = [];
  private readonly views: DataView[] = [];
  private readonly used: number[] = [];
  private readonly records: number[] = [];
  private readonly paths: string[] = [];
  private closed = false;

  constructor(
    prefix: string,
    private readonly buckets: number,
    private readonly orderKey: Uint8Array,
    private readonly level: number,
  ) {
    for (let b = 0; b < buckets; b++) {
      this.paths.push(`${prefix}-${b}`);
      this.fds.push(open(this.paths[b]!, 'w'));
      this.buffers.push(new Uint8Array(BUFFER_BYTES));
      this.views.push(new DataView(this.buffers[b]!.buffer));
      this.used.push(0);
      this.records.push(0);
    }
  }

  /** Appends one record (`uniform` is 64 bytes) to its bucket. */
  add(uniform: Uint8Array, text: Uint8Array): void {
    const b = bucketOf(this.orderKey, this.level, uniform, this.buckets);
    const size = RECORD_HEAD + text.length;
    if (this.used[b]! + size > BUFFER_BYTES) this.flush(b);
    this.records[b]!++;
    if (size > BUFFER_BYTES) {
      const head = new Uint8Array(RECORD_HEAD);
      head.set(uniform);
      new DataView(head.buffer).setUint32(UNIFORM_BYTES, text.length, true);
      write(this.fds[b]!, head);
      write(this.fds[b]!, text);
      return;
    }
    // Written in place: no allocation per record (10^7 small buffers would fragment the heap).
    const at = this.used[b]!;
    const buffer = this.buffers[b]!;
    buffer.set(uniform, at);
    this.views[b]!.setUint32(at + UNIFORM_BYTES, text.length, true);
    buffer.set(text, at + RECORD_HEAD);
    this.used[b] = at + size;
  }

  private flush(b: number): void {
    write(this.fds[b]!, this.buffers[b]!.subarray(0, this.used[b]));
    this.used[b] = 0;
  }

  /** Writes what is buffered and closes every file (once; later calls return the same list). */
  close(): BucketFile[] {
    if (!this.closed) {
      this.closed = true;
      for (let b = 0; b < this.buckets; b++) {
        try {
          this.flush(b);
        } finally {
          closeSync(this.fds[b]!);
        }
      }
    }
    return this.paths.map((path, b) => ({ path, records: this.records[b]! }));
  }
}

function open(path: string, flags: 'w' | 'r'): number {
  try {
    return openSync(path, flags, 0o600);
  } catch (e) {
    throw new PsiError('STORE_WRITE_FAILED', `cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
}

function write(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * The records of a bucket file in order, read 1 MiB at a time (a bucket
 * too large to load is split with these). Each yielded view is valid until the next.
 *
 * @example
 * ```ts
 * for (const { uniform, text } of bucketRecords('work/b-3')) split.add(uniform, text);
 * ```
 */
export function* bucketRecords(path: string): Generator<{ uniform: Uint8Array; text: Uint8Array }> {
  const fd = open(path, 'r');
  try {
    let buffer = new Uint8Array(1 << 20);
    let held = 0;
    for (;;) {
      const read = readSync(fd, buffer, held, buffer.length - held, null);
      held += read;
      let at = 0;
      for (;;) {
        if (held - at < RECORD_HEAD) break;
        const length = new DataView(buffer.buffer, buffer.byteOffset + at).getUint32(UNIFORM_BYTES, true);
        if (held - at < RECORD_HEAD + length) break;
        yield { uniform: buffer.subarray(at, at + UNIFORM_BYTES), text: buffer.subarray(at + RECORD_HEAD, at + RECORD_HEAD + length) };
        at += RECORD_HEAD + length;
      }
      if (read === 0) {
        if (at !== held) throw new PsiError('STORE_CORRUPT', `${path} ends inside a record`);
        return;
      }
      // Keep the partial record at the start, growing the buffer for a record longer than it.
      const rest = buffer.slice(at, held);
      const need = rest.length >= RECORD_HEAD ? RECORD_HEAD + new DataView(rest.buffer).getUint32(UNIFORM_BYTES, true) : 0;
      if (need > buffer.length) buffer = new Uint8Array(need * 2);
      buffer.set(rest);
      held = rest.length;
    }
  } finally {
    closeSync(fd);
  }
}
