import { PsiError } from '../errors.js';
import { decodeFrames, type Frame } from '../wire/frame.js';
import type { FrameCounts } from './match-progress.js';
import type { Reply, Request, SessionState } from './retrying-request.js';

/**
 * The initiator's session over the service's HTTP endpoints: own frames go out
 * in order, each answered with the service's next frames, which the party
 * steps through until it is done.
 * @module
 */

/**
 * The party as the loop drives it (a `PsiParty`, or an `AdvertiserParty` with measurement).
 *
 * @example
 * ```ts
 * const party: SteppingParty = new PsiParty(options);
 * ```
 */
export interface SteppingParty {
  step(): Promise<Uint8Array[]>;
  stepFrame(frame: Frame): Promise<Uint8Array[]>;
  readonly sessionId: Uint8Array | undefined;
  readonly done: boolean;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs `party`'s session to its end through `request`: the first frame opens
 * the session at `v1/sessions` (with `opening` headers), later ones go to the
 * session's frames, acknowledging what was taken in. Sets `session` as it goes
 * (its id once the party has one, `established` after the first answer), and
 * reports `counts` after each exchange. Fails with `SESSION_STALLED` when the
 * service announces frames it does not send, `SESSION_INCOMPLETE` when it stops
 * answering before the party is done.
 *
 * @example
 * ```ts
 * await runSession(party, request, session, {}, new FrameCounts(onProgress));
 * const result = party.result();
 * ```
 */
export async function runSession(
  party: SteppingParty,
  request: Request,
  session: SessionState,
  opening: Record<string, string>,
  counts: FrameCounts,
): Promise<void> {
  const queue: Uint8Array[] = [];

  /** Feeds the service's frames to the party in order, fetching any that did not fit the reply. */
  const absorb = async (reply: Reply) => {
    for (let pulled = false; ; pulled = true) {
      const before = counts.received;
      for (const frame of decodeFrames(reply.body)) {
        if (frame.seq < counts.received) continue;
        queue.push(...(await party.stepFrame(frame)));
        counts.received++;
      }
      counts.report(session.id, queue.length);
      if (reply.pending <= 0) return;
      if (pulled && counts.received === before) {
        throw new PsiError('SESSION_STALLED', `the service announces ${reply.pending} frames but sends none`);
      }
      reply = await request('GET', `v1/sessions/${session.id}/frames?ack=${counts.received}`);
    }
  };

  // HELLO, and with measurement the MEASURE request and ciphertexts that follow it.
  const first = await party.step();
  session.id = hex(party.sessionId!);
  queue.push(...first);
  counts.report(session.id, queue.length);
  for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) {
    const reply = session.established
      ? await request('POST', `v1/sessions/${session.id}/frames?ack=${counts.received}`, frame)
      : await request('POST', 'v1/sessions', frame, opening);
    session.established = true;
    counts.sent++;
    await absorb(reply);
  }
  if (!party.done) throw new PsiError('SESSION_INCOMPLETE', 'the service stopped answering before the session completed');
}
