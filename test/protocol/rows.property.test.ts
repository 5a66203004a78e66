import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createParty, runLocal, type Reveal } from '../../src/node.js';
import { decodeFrame } from '../../src/primitives.js';
import { syncCodeOf } from '../codes.js';
import { COMBINATIONS, pump } from './helpers.js';

/** A small universe of typed keys, so rows share keys within and across sides. */
const KEYS = ['email:a', 'email:b', 'email:c', 'phone:1', 'phone:2', 'phone:3', 'name_zip:x'];
const row = fc.subarray(KEYS, { minLength: 0, maxLength: 4 }).chain((keys) => fc.shuffledSubarray([...keys, ...keys]));
const rows = fc.array(row, { maxLength: 8 });

type Own = { rows: string[][] } | { items: string[] };

/** The naive "any key in common" join: matched row indices, and the distinct key-sets among them. */
function naiveRows(mine: string[][], theirs: string[][]) {
  const theirKeys = new Set(theirs.flat());
  const signature = (r: string[]) => [...new Set(r)].sort().join('|');
  const matches = mine.flatMap((r, i) => (r.some((k) => theirKeys.has(k)) ? [i] : []));
  return {
    matches,
    size: new Set(matches.map((i) => signature(mine[i]!))).size,
    distinct: new Set(mine.filter((r) => r.length > 0).map(signature)).size,
  };
}

function party(role: 'initiator' | 'responder', own: Own, learn: Reveal, peerLearns: Reveal, group: 'x25519' | 'ristretto255') {
  return createParty({ role, learn, peerLearns, backend: 'noble', workers: 1, chunkItems: 3, group, ...own });
}

describe.each(['x25519', 'ristretto255'] as const)('rows of keys (%s)', (group) => {
  describe.each(COMBINATIONS)('initiator learns %s, responder learns %s', (learnI, learnR) => {
    it('matched rows are the naive any-key join, each row once, whether the peer gives rows or items', async () => {
      await fc.assert(
        fc.asyncProperty(rows, rows, fc.boolean(), async (mine, theirs, peerAsItems) => {
          // Items are rows of one key each: the peer's side of the join is the same set of keys.
          const responderOwn: Own = peerAsItems ? { items: theirs.flat() } : { rows: theirs };
          const theirRows = peerAsItems ? theirs.flat().map((k) => [k]) : theirs;
          const initiator = party('initiator', { rows: mine }, learnI, learnR, group);
          const responder = party('responder', responderOwn, learnR, learnI, group);
          await runLocal(initiator, responder);
          const want = naiveRows(mine, theirRows);
          const got = initiator.result();
          expect(got.ownSize).toBe(want.distinct);
          if (learnI === 'none') expect(got.size).toBeUndefined();
          else expect(got.size).toBe(want.size);
          if (learnI === 'intersection') expect(got.matches).toEqual(want.matches);
          const theirsGot = responder.result();
          expect(theirsGot.peerSize).toBe(want.distinct);
          if (learnR !== 'none') {
            const back = naiveRows(theirRows, mine);
            expect(theirsGot.size).toBe(peerAsItems ? new Set(back.matches.map((i) => theirRows[i]![0])).size : back.size);
          }
        }),
        { numRuns: 12 },
      );
    });
  });
});

describe('rows on the wire', () => {
  it('every row is padded to the widest: the peer sees rows times slots elements, not which keys a row has', async () => {
    const initiator = createParty({ role: 'initiator', rows: [['a', 'b', 'c'], ['d'], []], learn: 'size', peerLearns: 'none' });
    const responder = createParty({ role: 'responder', items: ['d'], learn: 'none', peerLearns: 'size' });
    const transcript = await pump(initiator, responder);
    const blinded = transcript.filter((s) => decodeFrame(s.frame).type === 'blinded' && s.to === 'responder');
    const elements = blinded.reduce((n, s) => n + (s.frame.length - 32 - 4) / 32, 0);
    expect(elements).toBe(2 * 3);
    expect(initiator.result()).toEqual({ ownSize: 2, peerSize: 1, size: 1 });
  });

  it('a repeated list under keyFromItems sends the same set, dummies included', async () => {
    const sets: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const initiator = createParty({
        role: 'initiator',
        rows: [['a', 'b'], ['c']],
        learn: 'none',
        peerLearns: 'size',
        keySeed: new Uint8Array(32).fill(7),
        keyFromItems: true,
      });
      const responder = createParty({ role: 'responder', items: ['a'], learn: 'size', peerLearns: 'none' });
      const transcript = await pump(initiator, responder);
      const elements = transcript
        .filter((s) => decodeFrame(s.frame).type === 'blinded' && s.to === 'responder')
        .flatMap((s) =>
          Array.from({ length: (s.frame.length - 36) / 32 }, (_, i) =>
            Buffer.from(s.frame.subarray(36 + 32 * i, 68 + 32 * i)).toString('hex'),
          ),
        );
      sets.push(elements.sort());
    }
    expect(sets[0]).toHaveLength(4);
    expect(sets[0]).toEqual(sets[1]);
  });

  // In order, every element is checked; shuffled, the multiplicities (a peer may relabel keys that rows share, docs/protocol.md).
  it.each([
    // x is seen last, so it is the second slot of every row that has it and never the first: element 0 is never x.
    ['intersection', [['b'], ['a'], ['a', 'x'], ['b', 'x']], 5],
    ['size', [['a', 'b'], ['c']], 3],
  ] as const)(
    'a peer copying one return over another is refused with PEER_DUPLICATE (initiator learns %s)',
    async (learn, rows, target) => {
      const initiator = createParty({ role: 'initiator', rows: rows.map((r) => [...r]), learn, peerLearns: 'none' });
      const responder = createParty({ role: 'responder', items: ['a'], learn: 'none', peerLearns: learn });
      let refused: unknown;
      await pump(initiator, responder, (sent) => {
        if (sent.to !== 'initiator' || decodeFrame(sent.frame).type !== 'reblinded') return sent.frame;
        const forged = sent.frame.slice();
        forged.copyWithin(36 + target * 32, 36, 36 + 32);
        return forged;
      }).catch((e: unknown) => (refused = e));
      expect(refused).toMatchObject({ code: 'PEER_DUPLICATE' });
    },
  );

  it('refuses rows that are not arrays of keys, rows wider than a byte counts, and options naming two sets', async () => {
    const base = { role: 'initiator', learn: 'size', peerLearns: 'none' } as const;
    expect(syncCodeOf(() => createParty({ ...base, rows: [['a'], 'b'] as never }))).toBe('ITEMS_INVALID');
    expect(syncCodeOf(() => createParty({ ...base, rows: [[1]] as never }))).toBe('ITEMS_INVALID');
    expect(syncCodeOf(() => createParty({ ...base, rows: [['a']], items: ['a'] } as never))).toBe('OPTIONS_INVALID');
    const wide = createParty({ ...base, rows: [Array.from({ length: 256 }, (_, i) => `k${i}`)] });
    await expect(wide.step()).rejects.toMatchObject({ code: 'ITEMS_INVALID' });
  });
});
