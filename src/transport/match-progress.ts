/**
 * How far a session with a service is, counted in frames and reported to the
 * caller's `onProgress`.
 * @module
 */

/**
 * How far a session is: frames sent to the service, out of those known so far
 * (more become known as the service's frames arrive).
 *
 * @example
 * ```ts
 * onProgress: ({ framesSent, framesKnown }) => bar.update(framesSent, { total: framesKnown })
 * ```
 */
export interface MatchProgress {
  sessionId: string;
  framesSent: number;
  framesKnown: number;
  framesReceived: number;
}

/**
 * The frame counts of one session, reported on each {@link FrameCounts.report}.
 *
 * @example
 * ```ts
 * const counts = new FrameCounts((p) => console.log(p.framesSent));
 * counts.sent++;
 * counts.report(session.id, queue.length);
 * ```
 */
export class FrameCounts {
  /** Own frames the service has acknowledged. */
  sent = 0;
  /** The service's frames taken in, which is also the next sequence number expected. */
  received = 0;

  constructor(private readonly onProgress: ((progress: MatchProgress) => void) | undefined) {}

  /** Reports the counts, `waiting` own frames not sent yet. */
  report(sessionId: string, waiting: number): void {
    this.onProgress?.({ sessionId, framesSent: this.sent, framesKnown: this.sent + waiting, framesReceived: this.received });
  }
}
