import { describe, expect, it } from 'vitest';
import { blindSet } from '../../src/primitives.js';
import { createParty, psiItem } from '../../src/node.js';
import type { GroupName } from '../../src/group/suite.js';
import { decodeFrame, ristretto255NobleBackend, randomScalar, randomX25519Key, x25519NobleBackend } from '../../src/primitives.js';
import { decodeChunk } from '../../src/wire/messages.js';
import { pump, type Sent } from './helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const elementsOf = (frames: Sent[], type: string) =>
  Buffer.concat(
    frames
      .map((s) => decodeFrame(s.frame))
      .filter((f) => f.type === type)
      .map((f) => decodeChunk(f.payload).elements),
  );
/** Packed elements as rows of `width` hex elements each. */
const rowsOf = (packed: Uint8Array, width: number) =>
  Array.from({ length: packed.length / 32 / width }, (_, r) =>
    Array.from({ length: width }, (_, k) => hex(packed.subarray((r * width + k) * 32, (r * width + k + 1) * 32))).join('|'),
  );

const REFERENCE = {
  ristretto255: { randomKey: () => randomScalar(), multiply: ristretto255NobleBackend.multiply },
  x25519: { randomKey: () => randomX25519Key(), multiply: x25519NobleBackend.multiply },
} as const;

describe.each(['ristretto255', 'x25519'] as const)('rows, %s', (group: GroupName) => {
  /** A session whose responder key is known to the test: what the initiator sent, and what came back. */
  async function observe(learnI: 'size' | 'intersection') {
    const b = REFERENCE[group].randomKey();
    const rows = Array.from({ length: 24 }, (_, r) =>
      r % 3 === 0
        ? [psiItem('email', `c${r}@example.com`)]
        : [psiItem('email', `c${r}@example.com`), psiItem('phone', `+1650555${1000 + r}`)],
    );
    const platform = Array.from({ length: 30 }, (_, i) => psiItem('email', `c${i * 2}@example.com`));
    const initiator = createParty({ role: 'initiator', rows, learn: learnI, peerLearns: 'intersection', group, workers: 1, chunkItems: 7 });
    const responder = createParty({
      role: 'responder',
      blindedSet: await blindSet(platform, { group, key: b.slice(), workers: 1 }),
      learn: 'intersection',
      peerLearns: learnI,
      workers: 1,
      chunkItems: 7,
    });
    const transcript = await pump(initiator, responder);
    const sent = elementsOf(
      transcript.filter((s) => s.to === 'responder'),
      'blinded',
    );
    const expected = rowsOf(REFERENCE[group].multiply(sent, b), 2);
    const returned = rowsOf(
      elementsOf(
        transcript.filter((s) => s.to === 'initiator'),
        'reblinded',
      ),
      2,
    );
    return { expected, returned, size: initiator.result().size };
  }

  it('a party entitled to the intersection gets its rows back in its own order', async () => {
    const { expected, returned } = await observe('intersection');
    expect(returned).toEqual(expected);
  });

  it('a party that learns only the size gets its rows back shuffled row by row: each row whole, the order fresh', async () => {
    const { expected, returned, size } = await observe('size');
    // Every row comes back with its two elements together (it can count rows), in another order (it cannot tell which).
    expect([...returned].sort()).toEqual([...expected].sort());
    expect(returned).not.toEqual(expected);
    expect(size).toBe(12);
  });
});
