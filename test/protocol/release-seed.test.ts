/**
 * The noise of a released figure is keyed on a seed that commits to every byte
 * the client sent and returned: a client changing any byte (the same list plus a
 * target, a copied or altered return, a flipped byte of its own elements) gets
 * fresh noise, or is refused; only a byte-identical repeat meets the same noise.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { PsiParty } from '../../src/protocol/party.js';
import type { PartyOptions } from '../../src/protocol/types.js';
import { decodeFrame, encodeFrame } from '../../src/wire/frame.js';
import { emails } from '../transport/helpers.js';

/** A deterministic byte stream, so that the platform blinds and orders alike in every run. */
function fixedRandom(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32)
      out.set(hmac(sha256, new TextEncoder().encode(label), Uint8Array.of(counter++ & 255, counter >> 8)).subarray(0, n - at), at);
    return out;
  };
}

const platformItems = emails(0, 40);
const clientItems = [...emails(20, 30), ...emails(900, 10)];

function platform(): PsiParty {
  const options: PartyOptions = {
    role: 'responder',
    items: platformItems,
    learn: 'intersection',
    peerLearns: 'released',
    workers: 1,
    chunkItems: 8,
    disclosure: { noiseKey: new Uint8Array(32).fill(1), context: [new TextEncoder().encode('acme')], policy: { threshold: null } },
  };
  return new PsiParty(options, { random: fixedRandom('platform') });
}

/** The client's frames of one honest session against a deterministic platform, and the platform's seed. */
async function honestTranscript(): Promise<{ frames: Uint8Array[]; seed: string }> {
  const client = new PsiParty({
    role: 'initiator',
    items: clientItems,
    learn: 'released',
    peerLearns: 'intersection',
    workers: 1,
    chunkItems: 8,
    keySeed: new Uint8Array(32).fill(2),
    keyFromItems: true,
  });
  const server = platform();
  const frames: Uint8Array[] = [];
  const queue = await client.step();
  while (queue.length > 0) {
    const frame = queue.shift()!;
    frames.push(frame);
    for (const reply of await server.step(frame)) queue.push(...(await client.step(reply)));
  }
  return { frames, seed: bytesToHex(server.releaseSeed!) };
}

/** Replays the client's frames to a fresh deterministic platform: its seed, or the code it refused with. */
async function replay(frames: readonly Uint8Array[]): Promise<string> {
  const server = platform();
  try {
    for (const frame of frames) await server.step(frame);
    return server.done ? bytesToHex(server.releaseSeed!) : 'incomplete';
  } catch (e) {
    if (e instanceof PsiError) return `refused ${e.code}`;
    throw e;
  } finally {
    await server.close();
  }
}

describe('the release seed', () => {
  it('is the same for a byte-identical repeat', async () => {
    const { frames, seed } = await honestTranscript();
    expect(await replay(frames)).toBe(seed);
    expect((await honestTranscript()).seed).toBe(seed);
  });

  it('changes with any byte of any payload the client sends, or the session is refused', async () => {
    const { frames, seed } = await honestTranscript();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: frames.length - 1 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        async (index, where, xor) => {
          const frame = decodeFrame(frames[index]!);
          const payload = frame.payload.slice();
          payload[Math.floor(where * payload.length)]! ^= xor;
          const changed = [...frames];
          changed[index] = encodeFrame(frame.type, frame.sessionId, frame.seq, payload);
          expect(await replay(changed)).not.toBe(seed);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('changes when a return is copied over another, or two returns swap (the match changes, so must the noise)', async () => {
    const { frames, seed } = await honestTranscript();
    const returns = frames.map((f, i) => [i, decodeFrame(f)] as const).filter(([, f]) => f.type === 'reblinded');
    const [index, first] = returns[0]!;
    const edit = (fn: (e: Uint8Array) => void) => {
      const payload = first.payload.slice();
      fn(payload.subarray(4));
      const changed = [...frames];
      changed[index] = encodeFrame(first.type, first.sessionId, first.seq, payload);
      return changed;
    };
    expect(await replay(edit((e) => e.copyWithin(32, 0, 32)))).not.toBe(seed);
    expect(
      await replay(
        edit((e) => {
          const a = e.slice(0, 32);
          e.copyWithin(0, 32, 64);
          e.set(a, 32);
        }),
      ),
    ).not.toBe(seed);
  });
});
