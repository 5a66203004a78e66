import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/protocol/run-local.js';
import { AdvertiserParty, PlatformParty } from '../../src/measurement/index.js';
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
