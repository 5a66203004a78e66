/**
 * Packed elements that arrive chunk by chunk, in a count the peer only declared.
 * Each chunk is copied into one buffer that grows geometrically with what has
 * arrived, never to the declared count at once (a lie would cost a big
 * allocation) and never as one array per chunk (a peer sending one-element
 * chunks would multiply memory by the per-array overhead).
 *
 * @example
 * ```ts
 * const stream = new ElementStream(32);
 * stream.append(chunk1);
 * stream.append(chunk2);
 * const all = stream.view(); // both chunks, back to back
 * ```
 */
export class ElementStream {
  private buffer = new Uint8Array(0);
  private length = 0;

  /** `width` is the size of one element; the buffer never grows past `maxElements` of them. */
  constructor(
    private readonly width: number,
    private readonly maxElements = Number.POSITIVE_INFINITY,
  ) {}

  /** Copies `part` to the end. */
  append(part: Uint8Array): void {
    const needed = this.length + part.length;
    if (needed > this.buffer.length) {
      const cap = this.maxElements * this.width;
      const grown = new Uint8Array(Math.max(needed, Math.min(cap, 2 * this.buffer.length, needed + (64 << 20))));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(part, this.length);
    this.length = needed;
  }

  /** Elements appended so far. */
  get count(): number {
    return this.length / this.width;
  }

  /** A view of everything appended; valid until the next `append` or `clear`. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Drops the last `elements` appended (undoing a chunk that turned out bad). */
  truncate(elements: number): void {
    this.length = Math.max(0, this.length - elements * this.width);
  }

  /** Drops the content and its memory. */
  clear(): void {
    this.buffer = new Uint8Array(0);
    this.length = 0;
  }
}
