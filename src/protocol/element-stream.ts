import { concatParts } from '../bytes.js';

/**
 * Packed elements that arrive chunk by chunk, in a count the peer only declared:
 * growing by parts avoids trusting that declaration with one big allocation.
 *
 * @example
 * ```ts
 * const stream = new ElementStream();
 * stream.append(chunk1);
 * const all = stream.concatWith(chunk2);
 * ```
 */
export class ElementStream {
  private parts: Uint8Array[] = [];

  /** Adds a part at the end. */
  append(part: Uint8Array): void {
    this.parts.push(part);
  }

  /** All parts followed by `last`, in one new buffer; the stream is unchanged. */
  concatWith(last: Uint8Array): Uint8Array {
    return concatParts([...this.parts, last]);
  }

  /** All parts in one buffer. */
  concat(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0]!;
    const all = this.concatWith(new Uint8Array(0));
    this.parts = [all];
    return all;
  }

  /** Replaces the content with one buffer. */
  replaceWith(all: Uint8Array): void {
    this.parts = [all];
  }

  /** Drops the content. */
  clear(): void {
    this.parts = [];
  }
}
