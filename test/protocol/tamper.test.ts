import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { decodeFrame } from '../../src/primitives.js';
import { COMBINATIONS, naive, pair, pump, type Sent } from './helpers.js';

const mine = ['a', 'b', 'c', 'd', 'e'];
const theirs = ['c', 'd', 'e', 'f'];

type Mutation = (frame: Uint8Array, previous: Uint8Array | undefined, rnd: number) => Uint8Array;

const mutations: Record<string, Mutation> = {
  truncate: (f, _, r) => f.subarray(0, r % f.length),
  extend: (f, _, r) => Uint8Array.from([...f, ...new Uint8Array(1 + (r % 40)).fill(r & 0xff)]),
  bitflip: (f, _, r) => {
    const g = f.slice();
    const bit = r % (g.length * 8);
    g[bit >> 3]! ^= 1 << (bit & 7);
    return g;
  },
  // Flips a bit of the header, the chunk offset or the handshake: where every change must be caught.
  headerflip: (f, _, r) => {
    const g = f.slice();
    const bit = r % (Math.min(g.length, 40) * 8);
    g[bit >> 3]! ^= 1 << (bit & 7);
    return g;
  },
  // Moves a chunk's offset by 1-3 (in a handshake, this changes the slots byte).
  reoffset: (f, _, r) => {
    const g = f.slice();
    if (g.length < 36) return g.subarray(1);
    const view = new DataView(g.buffer, 32, 4);
    view.setUint32(0, view.getUint32(0) + 1 + (r % 3));
    return g;
  },
  // Six more elements (copies of the first; more than either set holds), the declared length fixed to match.
  grow: (f) => {
    if (f.length < 68) return f.subarray(1);
    const g = new Uint8Array(f.length + 6 * 32);
    g.set(f);
    for (let k = 0; k < 6; k++) g.set(f.subarray(36, 68), f.length + k * 32);
    new DataView(g.buffer).setUint32(28, g.length - 32);
    return g;
  },
  replay: (f, prev) => prev ?? f.subarray(1),
  garbage: (f, _, r) => Uint8Array.from({ length: (r % 64) + 1 }, (_, i) => (r * (i + 7)) & 0xff),
};

/** Runs a session in which message `target` is first replaced by its mutation. */
async function tamperedSession(
  learnI: (typeof COMBINATIONS)[number][0],
  learnR: (typeof COMBINATIONS)[number][1],
  target: number,
  mutate: Mutation,
  rnd: number,
) {
  const [initiator, responder] = pair(mine, theirs, learnI, learnR, { chunkItems: 2 });
  const previousTo: Partial<Record<Sent['to'], Uint8Array>> = {};
  let rejected: unknown;
  let accepted = false;
  let genuine: Uint8Array | undefined;
  let forged: Uint8Array | undefined;
  await pump(initiator, responder, (sent, index) => {
    const prev = previousTo[sent.to];
    previousTo[sent.to] = sent.frame;
    if (index !== target) return sent.frame;
    const party = sent.to === 'responder' ? responder : initiator;
    genuine = sent.frame;
    forged = mutate(sent.frame, prev, rnd);
    // Deliver the forgery first; the genuine frame still goes through afterwards.
    void party.step(forged).then(
      () => (accepted = true),
      (e: unknown) => (rejected = e),
    );
    return sent.frame;
  }).catch((e: unknown) => {
    if (!(e instanceof PsiError)) throw e;
  });
  return { initiator, responder, rejected, accepted, genuine: genuine!, forged: forged! };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Byte positions of a frame that a party cannot check, so that a change confined
 * to them may be accepted (the session then fails at the genuine frame):
 * - the element bytes of a chunk: BLINDED elements swapped for other valid encodings
 *   (invalid ones are refused) and REBLINDED elements, which are only compared
 *   (docs/protocol.md);
 * - what the first message of each side declares and nobody can know in advance:
 *   the item count and row width (slots) of HELLO and ACCEPT (a peer chooses its set freely), and the
 *   session id of HELLO (the initiator draws it).
 * Everything else must be refused: magic, version, type, flags, another session
 * id, seq, length, group, reveal modes and chunk offsets.
 */
function uncheckable(genuine: Uint8Array): (at: number) => boolean {
  const { type } = decodeFrame(genuine);
  const HEADER = 32;
  switch (type) {
    case 'hello':
      return (at) => (at >= 8 && at < 24) || (at >= HEADER + 3 && at < HEADER + 8);
    case 'accept':
      return (at) => at >= HEADER + 3 && at < HEADER + 8;
    case 'blinded':
    case 'reblinded':
      return (at) => at >= HEADER + 4;
    case 'release':
      // A figure is the releasing party's word: another well-formed figure cannot be told apart.
      return (at) => at >= HEADER;
    default:
      // The measurement layer's frames are tampered with in test/measurement.
      return () => false;
  }
}

/** Whether a party may accept `forged` in place of `genuine`: same length, differing only where it cannot check. */
function acceptable(genuine: Uint8Array, forged: Uint8Array): boolean {
  if (forged.length !== genuine.length) return false;
  const allowed = uncheckable(genuine);
  return forged.every((b, at) => b === genuine[at] || allowed(at));
}

describe.each(COMBINATIONS)('tampering (initiator %s, responder %s)', (learnI, learnR) => {
  it('every mutation of every message ends in PsiError or a completed session, and the session stays usable', async () => {
    const [i0, r0] = pair(mine, theirs, learnI, learnR, { chunkItems: 2 });
    const length = (await pump(i0, r0)).length;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: length - 1 }),
        fc.constantFrom(...Object.keys(mutations)),
        fc.nat(),
        async (target, name, rnd) => {
          const { initiator, responder, rejected, accepted, genuine, forged } = await tamperedSession(
            learnI,
            learnR,
            target,
            mutations[name]!,
            rnd,
          );
          if (rejected !== undefined) expect(rejected).toBeInstanceOf(PsiError);
          // Every forgery is settled one way or the other by the time the session ends.
          expect(accepted || rejected !== undefined).toBe(true);
          // A forgery that differs from the genuine frame is refused, unless the change is one no party can detect.
          if (accepted && !sameBytes(forged, genuine)) expect(acceptable(genuine, forged)).toBe(true);
          if (rejected !== undefined) {
            // A rejected forgery changes nothing: the genuine session completes correctly.
            expect(initiator.done && responder.done).toBe(true);
            if (learnI === 'intersection') expect(initiator.result().matches).toEqual(naive(mine, theirs).matches);
            if (learnR !== 'none') expect(responder.result().size).toBe(naive(theirs, mine).size);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('reordering and replay', () => {
  it('a replayed or skipped frame is refused with FRAME_OUT_OF_ORDER', async () => {
    const [i0, r0] = pair(mine, theirs, 'size', 'intersection', { chunkItems: 1 });
    const transcript = await pump(i0, r0);
    const toResponder = transcript.filter((s) => s.to === 'responder').map((s) => s.frame);
    const [initiator, responder] = pair(mine, theirs, 'size', 'intersection', { chunkItems: 1 });
    const hello = (await initiator.step())[0]!;
    const fromResponder = await responder.step(hello);
    await expect(responder.step(hello)).rejects.toMatchObject({ code: 'FRAME_OUT_OF_ORDER' });
    const fromInitiator = await initiator.step(fromResponder[0]);
    expect(toResponder.length).toBeGreaterThan(2);
    await expect(responder.step(fromInitiator[1])).rejects.toMatchObject({ code: 'FRAME_OUT_OF_ORDER' });
    await expect(responder.step(toResponder[1])).rejects.toMatchObject({ code: 'SESSION_MISMATCH' });
    await responder.step(fromInitiator[0]);
  });
});

describe('duplicate elements from a peer', () => {
  /** Copies the first element of a chunk frame over its second. */
  const duplicateFirst = (frame: Uint8Array) => {
    const forged = frame.slice();
    forged.copyWithin(32 + 4 + 32, 32 + 4, 32 + 4 + 32);
    return forged;
  };

  it.each([
    ['blinded', 'responder'],
    ['reblinded', 'initiator'],
  ] as const)(
    'a %s stream with a repeated element is refused with PEER_DUPLICATE, and the genuine one still completes',
    async (type, to) => {
      const [initiator, responder] = pair(mine, theirs, 'size', 'size');
      const codes: string[] = [];
      await pump(initiator, responder, (sent) => {
        if (sent.to === to && decodeFrame(sent.frame).type === type) {
          const party = to === 'responder' ? responder : initiator;
          void party.step(duplicateFirst(sent.frame)).catch((e: PsiError) => codes.push(e.code));
        }
        return sent.frame;
      });
      expect(codes).toEqual(['PEER_DUPLICATE']);
      expect(initiator.result().size).toBe(3);
      expect(responder.result().size).toBe(3);
    },
  );
});
