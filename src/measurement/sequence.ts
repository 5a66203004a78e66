import { PsiError } from '../errors.js';
import { encodeFrame, renumberFrame, type Frame, type FrameType } from '../wire/frame.js';

/**
 * One session's frame numbering when a measurement layer interleaves its own
 * frames with the PSI party's: the wire carries one sequence per direction
 * (replays and reordering stay detectable), the party keeps its own, and this
 * maps one onto the other.
 *
 * @example
 * ```ts
 * const seq = new LayerSequence();
 * const out = seq.outgoing(await party.step());        // party frames renumbered
 * const inner = seq.incoming(frame);                   // checks the wire seq, gives the party's
 * ```
 */
export class LayerSequence {
  #sent = 0;
  #received = 0;
  #innerReceived = 0;

  /** The wire seq the next incoming frame must carry. */
  get received(): number {
    return this.#received;
  }

  /** Refuses a frame that is not the next on the wire (`FRAME_OUT_OF_ORDER`); changes nothing. */
  check(frame: Frame): void {
    if (frame.seq !== this.#received) {
      throw new PsiError('FRAME_OUT_OF_ORDER', `expected frame ${this.#received}, got ${frame.seq} (replayed or reordered)`);
    }
  }

  /** The frame as the party numbers it; call {@link LayerSequence.passed} once the party took it. */
  toInner(frame: Frame): Frame {
    this.check(frame);
    return { ...frame, seq: this.#innerReceived };
  }

  /** The party took the frame last given by {@link LayerSequence.toInner}. */
  passed(): void {
    this.#innerReceived++;
    this.#received++;
  }

  /** The layer took an incoming frame of its own. */
  consumed(): void {
    this.#received++;
  }

  /** Renumbers the party's outgoing frames in place into the wire sequence. */
  outgoing(frames: Uint8Array[]): Uint8Array[] {
    for (const f of frames) renumberFrame(f, this.#sent++);
    return frames;
  }

  /** Numbers taken by `count` frames the party made elsewhere (deferred frames, made as they are pulled). */
  skip(count: number): void {
    this.#sent += count;
  }

  /** A frame of the layer's own, numbered next on the wire. */
  frame(type: FrameType, sessionId: Uint8Array, payload: Uint8Array): Uint8Array {
    return encodeFrame(type, sessionId, this.#sent++, payload);
  }
}
