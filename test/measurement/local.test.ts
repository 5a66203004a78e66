import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/protocol/run-local.js';
import { AdvertiserParty, PlatformParty } from '../../src/measurement/index.js';
import type { Party } from '../../src/protocol/types.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { decodeAggregates } from '../../src/wire/measure.js';
import type { Reveal } from '../../src/wire/reveal.js';

const common = { backend: 'noble', workers: 1, group: 'ristretto255' } as const;

/** A measured session with exact disclosure (no noise): the advertiser learns the size, the platform the intersection. */
async function exactSession(adv: string[], amounts: number[], plat: string[], clicks: number[], bound: number, learn: Reveal = 'size') {
  const advertiser = new AdvertiserParty(
    { ...common, role: 'initiator', items: adv, learn, peerLearns: 'intersection', chunkItems: 3 },
    { platformColumns: ['clicks'], values: { amount: amounts }, valueBound: bound, backend: 'noble' },
  );
  const platform = new PlatformParty(
    { ...common, role: 'responder', items: plat, learn: 'intersection', peerLearns: learn, chunkItems: 2 },
    { columns: { clicks: { values: clicks, bound } }, encryptedColumns: true, backend: 'noble' },
  );
  await runLocal(advertiser, platform);
  return { advertiser: advertiser.result(), platform: platform.result() };
}

/** Naive: per distinct matched advertiser item, its summed value clamped; per distinct matched platform item, its first value clamped. */
function naiveSums(adv: string[], amounts: number[], plat: string[], clicks: number[], bound: number) {
  const platSet = new Set(plat);
  const perItem = new Map<string, number>();
  adv.forEach((a, i) => perItem.set(a, (perItem.get(a) ?? 0) + amounts[i]!));
  let amount = 0;
  for (const [a, v] of perItem) if (platSet.has(a)) amount += Math.min(v, bound);
  const advSet = new Set(adv);
  const seen = new Set<string>();
  let click = 0;
  plat.forEach((p, i) => {
    if (advSet.has(p) && !seen.has(p)) {
      seen.add(p);
      click += Math.min(clicks[i]!, bound);
    }
  });
  const count = [...perItem.keys()].filter((a) => platSet.has(a)).length;
  return { amount, click, count };
}

describe('measured sessions, exact disclosure', () => {
  it('sums and counts equal the naive computation, both directions', async () => {
    const word = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const rows = fc.array(fc.tuple(word, fc.integer({ min: 0, max: 60 })), { minLength: 1, maxLength: 10 });
    await fc.assert(
      fc.asyncProperty(rows, rows, async (a, p) => {
        const bound = 50;
        const [adv, amounts] = [a.map((r) => r[0]), a.map((r) => r[1])];
        const [plat, clicks] = [p.map((r) => r[0]), p.map((r) => r[1])];
        const got = await exactSession(adv, amounts, plat, clicks, bound);
        const want = naiveSums(adv, amounts, plat, clicks, bound);
        expect(got.advertiser.aggregates!.count.value).toBe(want.count);
        expect(got.advertiser.aggregates!.columns.amount!.value).toBe(want.amount);
        expect(got.advertiser.aggregates!.columns.clicks!.value).toBe(want.click);
        expect(got.advertiser.aggregates!.columns.amount!.epsilon).toBeNull();
        expect(got.platform.aggregates!.columns.clicks!.value).toBe(want.click);
        expect(got.platform.encryptedColumns).toEqual(['amount']);
      }),
      { numRuns: 15 },
    );
  });
});

describe('the AGGREGATES frame of a session', () => {
  /** Runs a measured session and keeps the encrypted sums the platform sent, and what the advertiser decrypted. */
  async function encryptedSums(): Promise<{ bytes: Uint8Array; amount: number | null }> {
    const items = ['a', 'b', 'c', 'd'];
    const advertiser = new AdvertiserParty(
      { ...common, role: 'initiator', items, learn: 'size', peerLearns: 'intersection' },
      { values: { amount: [10, 20, 30, 40] }, valueBound: 50, backend: 'noble' },
    );
    const platform = new PlatformParty(
      { ...common, role: 'responder', items: ['b', 'd', 'x'], learn: 'intersection', peerLearns: 'size' },
      { encryptedColumns: true, backend: 'noble' },
    );
    let bytes = new Uint8Array(0);
    const recording: Party = {
      get done() {
        return platform.done;
      },
      get sessionId() {
        return platform.sessionId;
      },
      async step(incoming) {
        const out = await platform.step(incoming);
        for (const f of out) {
          const frame = decodeFrame(f);
          if (frame.type === 'aggregates') bytes = decodeAggregates(frame.payload).ciphertexts.slice();
        }
        return out;
      },
      result: () => platform.result(),
      close: () => platform.close(),
    };
    await runLocal(advertiser, recording);
    return { bytes, amount: advertiser.result().aggregates!.columns.amount!.value };
  }

  it('carries re-randomised sums: two runs on the same data give different bytes and the same decryption', async () => {
    const [first, second] = [await encryptedSums(), await encryptedSums()];
    expect(first.bytes.length).toBe(64);
    expect(first.bytes).not.toEqual(second.bytes);
    expect(first.amount).toBe(60);
    expect(second.amount).toBe(60);
  });
});

describe('measured sessions of rows', () => {
  it("adds each matched row's value once, however many of its keys matched", async () => {
    const key = fc.constantFrom('e:a', 'e:b', 'e:c', 'p:1', 'p:2', 'p:3');
    const row = fc.tuple(fc.uniqueArray(key, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 60 }));
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 6 }), fc.uniqueArray(key, { maxLength: 6 }), async (rows, plat) => {
        const bound = 50;
        const advertiser = new AdvertiserParty(
          { ...common, role: 'initiator', rows: rows.map((r) => r[0]), learn: 'size', peerLearns: 'intersection', chunkItems: 2 },
          { values: { amount: rows.map((r) => r[1]) }, valueBound: bound, backend: 'noble' },
        );
        const platform = new PlatformParty(
          { ...common, role: 'responder', items: plat, learn: 'intersection', peerLearns: 'size', chunkItems: 2 },
          { encryptedColumns: true, backend: 'noble' },
        );
        await runLocal(advertiser, platform);
        // Naive: distinct rows (a row is its set of keys, values of equal rows added), matched when any key is the platform's.
        const perRow = new Map<string, { keys: string[]; value: number }>();
        for (const [keys, value] of rows) {
          const id = [...keys].sort().join('|');
          perRow.set(id, { keys, value: (perRow.get(id)?.value ?? 0) + value });
        }
        const matched = [...perRow.values()].filter((r) => r.keys.some((k) => (plat as readonly string[]).includes(k)));
        const got = advertiser.result().aggregates!;
        expect(got.count.value).toBe(matched.length);
        expect(got.columns.amount!.value).toBe(matched.reduce((sum, r) => sum + Math.min(r.value, bound), 0));
      }),
      { numRuns: 12 },
    );
  });
});
