import { describe, expect, it } from 'vitest';
import { blindSet } from '../../src/primitives.js';
import { createParty, type Reveal } from '../../src/node.js';
import type { GroupName } from '../../src/group/suite.js';
import { decodeFrame, ristretto255NobleBackend, randomScalar, randomX25519Key, x25519NobleBackend } from '../../src/primitives.js';
import { decodeChunk } from '../../src/wire/messages.js';
import { pump, type Sent } from './helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const elements = (frames: Sent[], type: string) =>
  frames
    .map((s) => decodeFrame(s.frame))
    .filter((f) => f.type === type)
    .map((f) => decodeChunk(f.payload).elements);
const split = (chunks: Uint8Array[]) =>
  chunks.flatMap((c) => Array.from({ length: c.length / 32 }, (_, i) => hex(c.subarray(i * 32, i * 32 + 32))));

/** Each suite's key generation and reference multiplication, to recompute what the responder returns. */
const REFERENCE = {
  ristretto255: { randomKey: () => randomScalar(), multiply: ristretto255NobleBackend.multiply },
  x25519: { randomKey: () => randomX25519Key(), multiply: x25519NobleBackend.multiply },
} as const;

describe.each(['ristretto255', 'x25519'] as const)('%s', (group: GroupName) => {
  /**
   * Runs a session where the responder's key `b` is known to the test, so the test
   * can compute what the initiator should receive and in which order.
   */
  async function observe(learnI: Reveal, learnR: Reveal) {
    const b = REFERENCE[group].randomKey();
    const responderItems = Array.from({ length: 30 }, (_, i) => `r${i}`);
    const initiatorItems = Array.from({ length: 40 }, (_, i) => `r${i * 2}`);
    const initiator = createParty({
      role: 'initiator',
      items: initiatorItems,
      learn: learnI,
      peerLearns: learnR,
      group,
      workers: 1,
      chunkItems: 7,
    });
    const responder = createParty({
      role: 'responder',
      blindedSet: await blindSet(responderItems, { group, key: b.slice(), workers: 1 }),
      learn: learnR,
      peerLearns: learnI,
      workers: 1,
      chunkItems: 7,
    });
    const transcript = await pump(initiator, responder);
    const toResponder = transcript.filter((s) => s.to === 'responder');
    const toInitiator = transcript.filter((s) => s.to === 'initiator');
    const sentBlinded = split(elements(toResponder, 'blinded'));
    const expectedReturn = split([REFERENCE[group].multiply(Buffer.from(sentBlinded.join(''), 'hex'), b)]);
    return { toInitiator, toResponder, expectedReturn, returned: split(elements(toInitiator, 'reblinded')) };
  }

  describe('what each party receives', () => {
    it('a party entitled to the intersection gets its elements back re-blinded, in its own order', async () => {
      const { expectedReturn, returned } = await observe('intersection', 'none');
      expect(returned).toEqual(expectedReturn);
    });

    it('a party that learns only the size gets them shuffled, so it cannot tell which of its items matched', async () => {
      const { expectedReturn, returned } = await observe('size', 'intersection');
      expect(returned).not.toEqual(expectedReturn);
      expect([...returned].sort()).toEqual([...expectedReturn].sort());
    });

    it('a party that learns nothing receives no re-blinded elements at all', async () => {
      for (const learnR of ['intersection', 'size'] as const) {
        const { toInitiator } = await observe('none', learnR);
        expect(elements(toInitiator, 'reblinded')).toHaveLength(0);
      }
    });

    it('when nobody learns anything only the handshake crosses the wire', async () => {
      const { toInitiator, toResponder } = await observe('none', 'none');
      expect(toResponder.map((s) => decodeFrame(s.frame).type)).toEqual(['hello']);
      expect(toInitiator.map((s) => decodeFrame(s.frame).type)).toEqual(['accept']);
    });

    it('own items are sent shuffled: two sessions over the same items send different orders', async () => {
      const set = await blindSet(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], { group, key: new Uint8Array(32).fill(1), workers: 1 });
      const sent = async () => {
        const initiator = createParty({ role: 'initiator', blindedSet: set, learn: 'size', peerLearns: 'size', workers: 1 });
        const responder = createParty({ role: 'responder', items: ['z'], learn: 'size', peerLearns: 'size', group, workers: 1 });
        const t = await pump(initiator, responder);
        return split(
          elements(
            t.filter((s) => s.to === 'responder'),
            'blinded',
          ),
        );
      };
      const orders = new Set<string>();
      for (let i = 0; i < 4; i++) orders.add((await sent()).join());
      expect(orders.size).toBeGreaterThan(1);
    });
  });
});
