import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/node.js';
import { COMBINATIONS, naive, pair } from './helpers.js';

const utf8 = new TextEncoder();
/** A small alphabet makes overlaps and duplicates common; unicode and bytes mixed in. */
const word = fc.constantFrom('a@x.com', 'b@x.com', 'c@x.com', 'Zoë', '日本', '', '🙂', 'a@x.com ', 'A@X.COM');
const item = fc.oneof(
  word,
  word.map((w) => utf8.encode(w)),
  fc.string({ maxLength: 6 }),
);
const items = fc.array(item, { maxLength: 12 });

/** Both suites on their pure-JS reference backend (the helpers' default), so the property checks the math, not a binding. */
const SUITES = ['ristretto255', 'x25519'] as const;

describe.each(SUITES)('%s', (group) => {
  describe.each(COMBINATIONS)('initiator learns %s, responder learns %s', (learnI, learnR) => {
    it('each party gets exactly the naive intersection it is entitled to, and no more', async () => {
      await fc.assert(
        fc.asyncProperty(items, items, fc.integer({ min: 1, max: 4 }), async (mine, theirs, chunkItems) => {
          const [initiator, responder] = pair(mine, theirs, learnI, learnR, { chunkItems, group });
          await runLocal(initiator, responder);
          for (const [party, own, other, learn] of [
            [initiator, mine, theirs, learnI],
            [responder, theirs, mine, learnR],
          ] as const) {
            const want = naive(own, other);
            const got = party.result();
            expect(party.done).toBe(true);
            expect(got.peerSize).toBe(naive(other, own).distinct);
            expect(got.ownSize).toBe(want.distinct);
            const sizes = { ownSize: want.distinct, peerSize: got.peerSize };
            if (learn === 'none') expect(got).toEqual(sizes);
            if (learn === 'size') expect(got).toEqual({ ...sizes, size: want.size });
            if (learn === 'intersection') expect(got).toEqual({ ...sizes, size: want.size, matches: want.matches });
          }
        }),
        { numRuns: 15 },
      );
    });
  });
});

describe('edge sets', () => {
  const cases: [string, string[], string[]][] = [
    ['both empty', [], []],
    ['one empty', ['a'], []],
    ['singletons that match', ['a'], ['a']],
    ['full overlap with duplicates', ['a', 'b', 'a', 'b'], ['b', 'a']],
    ['no overlap', ['a', 'b'], ['c', 'd', 'e']],
  ];
  it.each(cases)('%s', async (_, mine, theirs) => {
    const [initiator, responder] = pair(mine, theirs, 'intersection', 'intersection');
    await runLocal(initiator, responder);
    expect(initiator.result().matches).toEqual(naive(mine, theirs).matches);
    expect(responder.result().matches).toEqual(naive(theirs, mine).matches);
  });

  it('streams a set larger than one chunk with the default chunk size', async () => {
    const mine = Array.from({ length: 300 }, (_, i) => `user${i}@example.com`);
    const theirs = Array.from({ length: 200 }, (_, i) => `user${i * 3}@example.com`);
    const [initiator, responder] = pair(mine, theirs, 'size', 'intersection', { chunkItems: 64 });
    await runLocal(initiator, responder);
    expect(initiator.result().size).toBe(100);
    expect(responder.result().matches).toEqual(naive(theirs, mine).matches);
  });
});
