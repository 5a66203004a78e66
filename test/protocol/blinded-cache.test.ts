import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlindedCache, createParty, type PartyOptions } from '../../src/node.js';
import { PsiParty } from '../../src/protocol/party.js';
import { syncCodeOf } from '../codes.js';
import { pump, seeded, type Sent } from './helpers.js';

const seedA = new Uint8Array(32).fill(7);
const seedB = new Uint8Array(32).fill(9);
const platform = ['p1', 'p2', 'shared1', 'shared2', 'p3'];

/** One session of `items` under `keySeed` against a fixed platform, every random draw seeded: its frames and the result. */
async function session(
  items: readonly string[],
  extra: Partial<PartyOptions> & { keySeed: Uint8Array },
  rows?: readonly (readonly string[])[],
): Promise<{ frames: Sent[]; matches: readonly number[] | undefined }> {
  const common = { backend: 'noble', workers: 1, chunkItems: 3 } as const;
  const initiator = new PsiParty(
    {
      ...common,
      role: 'initiator',
      ...(rows === undefined ? { items } : { rows }),
      learn: 'intersection',
      peerLearns: 'size',
      ...extra,
    } as PartyOptions,
    { random: seeded('initiator') },
  );
  const responder = new PsiParty(
    { ...common, role: 'responder', items: platform, learn: 'size', peerLearns: 'intersection' },
    { random: seeded('responder') },
  );
  const frames = await pump(initiator, responder);
  return { frames, matches: initiator.result().matches };
}

const word = fc.constantFrom('p1', 'p2', 'shared1', 'shared2', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const list = fc.uniqueArray(word, { maxLength: 10 });

describe('a blinded cache', () => {
  it('changes no byte the peer sees nor the result, whatever part of the list it holds', async () => {
    await fc.assert(
      fc.asyncProperty(list, list, async (earlier, items) => {
        const plain = await session(items, { keySeed: seedA });
        const blindedCache = new BlindedCache();
        await session(earlier, { keySeed: seedA, blindedCache });
        const misses = blindedCache.misses;
        const cached = await session(items, { keySeed: seedA, blindedCache });
        expect(cached.frames).toEqual(plain.frames);
        expect(cached.matches).toEqual(plain.matches);
        // Only items the earlier list lacked were blinded again.
        expect(blindedCache.misses - misses).toBe(items.filter((x) => !earlier.includes(x)).length);
        // Read back from its bytes it serves the same.
        const reread = BlindedCache.fromBytes(blindedCache.toBytes());
        expect((await session(items, { keySeed: seedA, blindedCache: reread })).frames).toEqual(plain.frames);
        expect(reread.misses).toBe(0);
      }),
      { numRuns: 20 },
    );
  });

  it('is never used under another key seed: it is emptied and refilled', async () => {
    const items = ['a', 'shared1', 'b'];
    const blindedCache = new BlindedCache();
    await session(items, { keySeed: seedA, blindedCache });
    const boundToA = blindedCache.binding;
    const plainB = await session(items, { keySeed: seedB });
    const cachedB = await session(items, { keySeed: seedB, blindedCache });
    expect(cachedB.frames).toEqual(plainB.frames);
    expect(blindedCache.hits).toBe(0);
    expect(blindedCache.size).toBe(items.length);
    expect(blindedCache.binding).not.toEqual(boundToA);
  });

  it('serves sessions of two keys at once without mixing their entries', async () => {
    const items = ['a', 'shared1', 'b', 'c'];
    const blindedCache = new BlindedCache();
    const [plainA, plainB] = await Promise.all([session(items, { keySeed: seedA }), session(items, { keySeed: seedB })]);
    const [cachedA, cachedB] = await Promise.all([
      session(items, { keySeed: seedA, blindedCache }),
      session(items, { keySeed: seedB, blindedCache }),
    ]);
    expect(cachedA.frames).toEqual(plainA.frames);
    expect(cachedB.frames).toEqual(plainB.frames);
    expect(blindedCache.size).toBeLessThanOrEqual(items.length);
  });

  it('keeps rows and their dummies byte for byte', async () => {
    const rows = [['a', 'shared1'], ['b'], ['shared2', 'c', 'd']];
    const plain = await session([], { keySeed: seedA }, rows);
    const blindedCache = new BlindedCache();
    await session([], { keySeed: seedA, blindedCache }, rows);
    const cached = await session([], { keySeed: seedA, blindedCache }, rows);
    expect(cached.frames).toEqual(plain.frames);
    expect(blindedCache.misses).toBe(blindedCache.size);
    expect(blindedCache.hits).toBe(blindedCache.size);
  });

  it('is refused without a keySeed', () => {
    const opts = { role: 'initiator', items: ['a'], learn: 'size', peerLearns: 'none', blindedCache: new BlindedCache() } as const;
    expect(syncCodeOf(() => createParty(opts))).toBe('OPTIONS_INVALID');
  });

  it('refuses bytes that are not a cache of this format', () => {
    const bytes = new BlindedCache().toBytes();
    const flipped = bytes.slice();
    flipped[flipped.length - 1]! ^= 1;
    for (const bad of [flipped, bytes.subarray(0, 10), new Uint8Array(bytes.length), Uint8Array.of(...bytes, 0)]) {
      expect(syncCodeOf(() => BlindedCache.fromBytes(bad))).toBe('CACHE_INVALID');
    }
  });
});

describe('keepUsed', () => {
  it('drops the entries of items no session used since the cache was read', async () => {
    const blindedCache = new BlindedCache();
    await session(['a', 'b', 'c'], { keySeed: seedA, blindedCache });
    const reread = BlindedCache.fromBytes(blindedCache.toBytes());
    await session(['b', 'd'], { keySeed: seedA, blindedCache: reread });
    expect(reread.keepUsed()).toBe(2);
    expect(reread.size).toBe(2);
  });
});
