import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { createParty, type Party, type Reveal } from '../../src/node.js';
import { ElementStream } from '../../src/protocol/element-stream.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/wire/frame.js';
import { decodeChunk, encodeChunk, encodeHandshake, GROUP_RISTRETTO255 } from '../../src/wire/messages.js';
import { codeOf, naive, pair } from './helpers.js';

const mine = ['a', 'b', 'c', 'd'];
const theirs = ['c', 'd', 'e', 'f', 'g'];

type Forge = (to: 'initiator' | 'responder', frame: Frame) => Uint8Array[];

/**
 * Runs a session; before each genuine frame, the forgeries `forge` makes of it are
 * delivered to the same party, and their outcome (an error code, or `accepted`) recorded.
 */
async function session(initiator: Party, responder: Party, forge: Forge): Promise<string[]> {
  const outcomes: string[] = [];
  const queue: { to: 'initiator' | 'responder'; frame: Uint8Array }[] = (await initiator.step()).map((frame) => ({
    to: 'responder',
    frame,
  }));
  while (queue.length > 0) {
    const { to, frame } = queue.shift()!;
    const party = to === 'responder' ? responder : initiator;
    for (const forged of forge(to, decodeFrame(frame))) {
      outcomes.push(
        await party.step(forged).then(
          () => 'accepted',
          (e: unknown) => (e instanceof PsiError ? e.code : String(e)),
        ),
      );
    }
    const back: 'initiator' | 'responder' = to === 'responder' ? 'initiator' : 'responder';
    queue.push(...(await party.step(frame)).map((f) => ({ to: back, frame: f })));
  }
  return outcomes;
}

/** The same chunk frame with another offset and elements. */
function chunk(frame: Frame, offset: number, elements: Uint8Array): Uint8Array {
  return encodeFrame(frame.type, frame.sessionId, frame.seq, encodeChunk({ offset, elements }));
}

function expectCorrect(initiator: Party, responder: Party, learnI: Reveal, learnR: Reveal): void {
  expect(initiator.done && responder.done).toBe(true);
  if (learnI !== 'none') expect(initiator.result().size).toBe(naive(mine, theirs).size);
  if (learnI === 'intersection') expect(initiator.result().matches).toEqual(naive(mine, theirs).matches);
  if (learnR !== 'none') expect(responder.result().size).toBe(naive(theirs, mine).size);
}

describe('a chunk carrying more elements than the peer still owes', () => {
  it('BLINDED: one valid element too many is refused with CHUNK_OVERFLOW, and the genuine chunk still completes', async () => {
    const [initiator, responder] = pair(mine, theirs, 'size', 'size');
    const outcomes = await session(initiator, responder, (to, f) => {
      if (to !== 'responder' || f.type !== 'blinded') return [];
      const { offset, elements } = decodeChunk(f.payload);
      // A repeat of a valid element: it re-blinds fine, so only the count can refuse it.
      return [chunk(f, offset, new Uint8Array([...elements, ...elements.subarray(0, 32)]))];
    });
    expect(outcomes).toEqual(['CHUNK_OVERFLOW']);
    expectCorrect(initiator, responder, 'size', 'size');
  });

  it('BLINDED, later chunk: a chunk overrunning the declared count by one is refused with CHUNK_OVERFLOW', async () => {
    // 4 items in chunks of 3: the second chunk owes 1 element; the forgery brings 2.
    const [initiator, responder] = pair(mine, theirs, 'size', 'intersection', { chunkItems: 3 });
    const outcomes = await session(initiator, responder, (to, f) => {
      if (to !== 'responder' || f.type !== 'blinded' || decodeChunk(f.payload).offset === 0) return [];
      const { offset, elements } = decodeChunk(f.payload);
      return [chunk(f, offset, new Uint8Array([...elements, ...elements]))];
    });
    expect(outcomes).toEqual(['CHUNK_OVERFLOW']);
    expectCorrect(initiator, responder, 'size', 'intersection');
  });

  it('REBLINDED: an extra element in the returned stream is refused with CHUNK_OVERFLOW', async () => {
    const [initiator, responder] = pair(mine, theirs, 'size', 'size');
    const outcomes = await session(initiator, responder, (to, f) => {
      if (to !== 'initiator' || f.type !== 'reblinded') return [];
      const { offset, elements } = decodeChunk(f.payload);
      return [chunk(f, offset, new Uint8Array([...elements, ...new Uint8Array(32).fill(0x11)]))];
    });
    expect(outcomes).toEqual(['CHUNK_OVERFLOW']);
    expectCorrect(initiator, responder, 'size', 'size');
  });
});

describe('a chunk whose offset goes back over elements already received', () => {
  it('BLINDED: the second chunk claiming offset 1 or 0 is refused with CHUNK_OFFSET', async () => {
    const [initiator, responder] = pair(mine, theirs, 'size', 'size', { chunkItems: 2 });
    const outcomes = await session(initiator, responder, (to, f) => {
      if (to !== 'responder' || f.type !== 'blinded' || decodeChunk(f.payload).offset === 0) return [];
      const { elements } = decodeChunk(f.payload);
      // Same (valid, unseen) elements, in range of the declared count, but placed over received ones.
      return [chunk(f, 1, elements), chunk(f, 0, elements)];
    });
    expect(outcomes).toEqual(['CHUNK_OFFSET', 'CHUNK_OFFSET']);
    expectCorrect(initiator, responder, 'size', 'size');
  });

  it('REBLINDED: a returned chunk claiming offset 0 again is refused with CHUNK_OFFSET', async () => {
    // The responder returns re-blinded chunks in step with the initiator's chunks of 2.
    const [initiator, responder] = pair(mine, theirs, 'intersection', 'size', { chunkItems: 2 });
    const outcomes = await session(initiator, responder, (to, f) => {
      if (to !== 'initiator' || f.type !== 'reblinded' || decodeChunk(f.payload).offset === 0) return [];
      return [chunk(f, 0, decodeChunk(f.payload).elements)];
    });
    expect(outcomes).toEqual(['CHUNK_OFFSET']);
    expectCorrect(initiator, responder, 'intersection', 'size');
  });
});

describe('the reveal-mode check, half refusing a peer that grants less than this party wants', () => {
  const id = new Uint8Array(16).fill(3);

  it('an initiator wanting the intersection refuses an ACCEPT granting only the size (MODE_MISMATCH)', async () => {
    const initiator = createParty({
      role: 'initiator',
      items: ['a'],
      learn: 'intersection',
      peerLearns: 'size',
      workers: 1,
      backend: 'noble',
      group: 'ristretto255',
    });
    const hello = decodeFrame((await initiator.step())[0]!);
    // The responder wants exactly what the initiator grants, but grants less than it wants.
    const accept = encodeFrame(
      'accept',
      hello.sessionId,
      0,
      encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'size', itemCount: 1 }),
    );
    expect(await codeOf(() => initiator.step(accept))).toBe('MODE_MISMATCH');
    expect(initiator.done).toBe(false);
  });

  it('a responder wanting the size refuses a HELLO granting it nothing (MODE_MISMATCH)', async () => {
    const responder = createParty({
      role: 'responder',
      items: ['a'],
      learn: 'size',
      peerLearns: 'size',
      workers: 1,
      backend: 'noble',
      group: 'ristretto255',
    });
    const hello = encodeFrame(
      'hello',
      id,
      0,
      encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'none', itemCount: 1 }),
    );
    expect(await codeOf(() => responder.step(hello))).toBe('MODE_MISMATCH');
    // Refused without a state change: the agreeing HELLO still works.
    const agreeing = encodeFrame(
      'hello',
      id,
      0,
      encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'size', itemCount: 1 }),
    );
    expect((await responder.step(agreeing)).length).toBeGreaterThan(0);
  });
});

describe('one-element chunks: memory follows the data, not the number of chunks', () => {
  it('ElementStream keeps one buffer that grows geometrically: 20,000 appends of 32 bytes', () => {
    const stream = new ElementStream(32, 20_000);
    const buffers = new Set<ArrayBufferLike>();
    const element = new Uint8Array(32);
    for (let i = 0; i < 20_000; i++) {
      new DataView(element.buffer).setUint32(0, i);
      stream.append(element);
      buffers.add(stream.view().buffer);
    }
    const all = stream.view();
    expect(stream.count).toBe(20_000);
    expect(all.length).toBe(20_000 * 32);
    // At most about twice the data, in one buffer reallocated only O(log n) times.
    expect(all.buffer.byteLength).toBeLessThanOrEqual(2 * 20_000 * 32);
    expect(buffers.size).toBeLessThanOrEqual(40);
    // Appends are copies, in order.
    for (const i of [0, 1, 9_999, 19_999]) expect(new DataView(all.buffer, all.byteOffset + i * 32).getUint32(0)).toBe(i);
  });

  it('never allocates past the declared count, whatever the growth step', () => {
    const stream = new ElementStream(32, 5);
    for (let i = 0; i < 5; i++) stream.append(new Uint8Array(32).fill(i));
    expect(stream.view().buffer.byteLength).toBe(5 * 32);
  });

  it('a session in one-element chunks (chunkItems: 1) completes with the right result', async () => {
    const big = Array.from({ length: 120 }, (_, i) => `u${i}`);
    const other = Array.from({ length: 80 }, (_, i) => `u${i * 2}`);
    const [initiator, responder] = pair(big, other, 'intersection', 'size', { chunkItems: 1 });
    await session(initiator, responder, () => []);
    expect(initiator.result().matches).toEqual(naive(big, other).matches);
    expect(responder.result().size).toBe(naive(other, big).size);
  });
});
