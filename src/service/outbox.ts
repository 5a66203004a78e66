import type { DeferredFrames } from '../protocol/party.js';

/**
 * Frames the service answered one request with: the first one's sequence
 * number and the frames, so that replies never re-parse their own frames.
 *
 * @example
 * ```ts
 * const batch: Batch = { firstSeq: 3, frames: [f3, f4] };
 * ```
 */
export interface Batch {
  firstSeq: number;
  frames: Uint8Array[];
}

/** A run of deferred frames, `next` the first not yet acknowledged; `made` keeps the last one made but not sent. */
interface Run {
  deferred: DeferredFrames;
  next: number;
  made?: { k: number; frame: Uint8Array };
}

/**
 * A session's frames produced but not yet acknowledged by the client, in
 * sequence order: frames held in memory, and runs of deferred frames (a stored
 * set's BLINDED stream) made only when a reply carries them, so that a session
 * holds a reply's worth of its own set, never all of it.
 *
 * @example
 * ```ts
 * const outbox = new Outbox();
 * outbox.push([accept]);
 * outbox.pushDeferred(party.takeDeferred()!);
 * const batch = await outbox.batch(8 << 20);
 * outbox.acknowledge(batch.firstSeq + batch.frames.length);
 * ```
 */
export class Outbox {
  #entries: (Uint8Array | Run)[] = [];
  #start = 0;
  #length = 0;

  /** Sequence number of the oldest frame held. */
  get start(): number {
    return this.#start;
  }

  /** Frames held, deferred ones included. */
  get length(): number {
    return this.#length;
  }

  push(frames: readonly Uint8Array[]): void {
    this.#entries.push(...frames);
    this.#length += frames.length;
  }

  /** Appends deferred frames; they must continue the sequence. */
  pushDeferred(deferred: DeferredFrames): void {
    if (deferred.count === 0) return;
    this.#entries.push({ deferred, next: 0 });
    this.#length += deferred.count;
  }

  /** The oldest frames, up to `maxBytes` (always at least one when any is held). */
  async batch(maxBytes: number): Promise<Batch> {
    const frames: Uint8Array[] = [];
    let bytes = 0;
    const fits = (f: Uint8Array) => frames.length === 0 || bytes + f.length <= maxBytes;
    outer: for (const entry of this.#entries) {
      if (entry instanceof Uint8Array) {
        if (!fits(entry)) break;
        frames.push(entry);
        bytes += entry.length;
        continue;
      }
      for (let k = entry.next; k < entry.deferred.count; k++) {
        const frame = entry.made?.k === k ? entry.made.frame : await entry.deferred.frame(k);
        if (!fits(frame)) {
          entry.made = { k, frame };
          break outer;
        }
        frames.push(frame);
        bytes += frame.length;
      }
    }
    return { firstSeq: this.#start, frames };
  }

  /** Drops the frames with sequence numbers below `ack`. */
  acknowledge(ack: number | undefined): void {
    if (ack === undefined || !Number.isSafeInteger(ack) || ack <= this.#start) return;
    let drop = Math.min(ack - this.#start, this.#length);
    this.#start += drop;
    this.#length -= drop;
    while (drop > 0) {
      const entry = this.#entries[0]!;
      if (entry instanceof Uint8Array) {
        this.#entries.shift();
        drop--;
        continue;
      }
      const taken = Math.min(drop, entry.deferred.count - entry.next);
      entry.next += taken;
      drop -= taken;
      if (entry.next === entry.deferred.count) this.#entries.shift();
      if (entry.made !== undefined && entry.made.k < entry.next) delete entry.made;
    }
  }

  /** Forgets every frame. */
  clear(): void {
    this.#entries = [];
    this.#length = 0;
  }
}
