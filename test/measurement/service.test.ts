import { describe, expect, it } from 'vitest';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer, type PsiServer } from '../../src/transport/server.js';
import type { Epsilon } from '../../src/disclosure/epsilon.js';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { codeOf } from '../protocol/helpers.js';
import { emails } from '../transport/helpers.js';

const users = emails(0, 3000);
/** Platform values: user i has i % 7 clicks and i % 1000 impressions. */
const clicks = users.map((_, i) => i % 7);
const impressions = users.map((_, i) => i % 1000);
const values = { clicks: { values: clicks, bound: 5 }, impressions: { values: impressions, bound: 500 } };

async function withService<T>(opts: Partial<Parameters<typeof startPsiServer>[0]>, fn: (s: PsiServer) => Promise<T>): Promise<T> {
  const service = await startPsiServer({ items: users, workers: 1, values, advertiserValues: true, ...opts });
  try {
    return await fn(service);
  } finally {
    await service.close();
  }
}

/** `n` distinct client items of which the first `overlap` are platform users 0..overlap-1. */
const list = (n: number, overlap: number) => [...emails(0, overlap), ...emails(100_000, n - overlap, 'x')];
const amounts = (n: number) => Array.from({ length: n }, (_, i) => (i * 37) % 2000);

describe('a service with value columns', () => {
  it('with exact disclosure returns the exact count and sums of both sides', async () => {
    await withService({ disclosure: 'exact' }, async (service) => {
      const items = list(1200, 700);
      const amount = amounts(1200);
      const got = await matchOverHttp({
        server: service.url,
        items,
        workers: 1,
        measure: { platformColumns: 'all', values: { amount }, valueBound: 1500 },
      });
      let wantAmount = 0;
      for (let i = 0; i < 700; i++) wantAmount += Math.min(amount[i]!, 1500);
      const sum = (xs: number[], bound: number) => xs.slice(0, 700).reduce((a, v) => a + Math.min(v, bound), 0);
      expect(got.aggregates!.count.value).toBe(700);
      expect(got.aggregates!.columns.amount!.value).toBe(wantAmount);
      expect(got.aggregates!.columns.clicks!.value).toBe(sum(clicks, 5));
      expect(got.aggregates!.columns.impressions!.value).toBe(sum(impressions, 500));
      expect(got.aggregates!.columns.clicks!.epsilon).toBeNull();
    });
  });

  it('under a policy releases each figure noised and charges one epsilon per figure', async () => {
    const debits: Epsilon[] = [];
    const budget = { charge: async (_: string, e: Epsilon) => void debits.push(e), status: (id: string) => new MemoryBudget().status(id) };
    await withService({ budget, policy: { epsilon: 0.25, significantDigits: null } }, async (service) => {
      const got = await matchOverHttp({
        server: service.url,
        items: list(1500, 1000),
        workers: 1,
        measure: { platformColumns: ['clicks'], values: { amount: amounts(1500) }, valueBound: 2000 },
      });
      const { count, columns } = got.aggregates!;
      expect(count).toEqual(got.released);
      expect(Object.keys(columns).sort()).toEqual(['amount', 'clicks']);
      expect(columns.clicks!.scale).toBe(20); // bound 5 / epsilon 0.25
      expect(columns.amount!.scale).toBe(8000); // valueBound 2000 / epsilon 0.25
      // Unrounded (significantDigits null): the noised sum itself, within the noise clamp of 28 scales.
      const exact = amounts(1500)
        .slice(0, 1000)
        .reduce((a, v) => a + v, 0);
      expect(Math.abs(columns.amount!.value! - exact)).toBeLessThanOrEqual(28 * 8000);
      expect(columns.amount!.interval95![0]).toBeLessThanOrEqual(columns.amount!.value!);
      // count + clicks + amount: three figures, three debits.
      expect(debits).toEqual([0.25, 0.25, 0.25]);
    });
  });

  it('refuses a MEASURE frame whose figures the budget cannot pay for, after charging what it could', async () => {
    const budget = new MemoryBudget({ budget: 0.5 });
    await withService({ budget }, async (service) => {
      const measure = { platformColumns: ['clicks', 'impressions'] };
      expect(await codeOf(() => matchOverHttp({ server: service.url, items: list(1000, 300), workers: 1, measure }))).toBe(
        'BUDGET_EXCEEDED',
      );
      // The count and one column were charged: nothing is left for another session.
      expect(await codeOf(() => matchOverHttp({ server: service.url, items: list(1000, 300), workers: 1 }))).toBe('BUDGET_EXCEEDED');
    });
  });

  it('refuses a column it does not offer, and advertiser columns unless told to accept them; a client that asks for nothing gets no aggregates', async () => {
    await withService({}, async (service) => {
      const items = list(1000, 300);
      const measure = { platformColumns: ['spend'] };
      expect(await codeOf(() => matchOverHttp({ server: service.url, items, workers: 1, measure }))).toBe('COLUMN_UNKNOWN');
    });
    await withService({ advertiserValues: false }, async (service) => {
      expect(service.handler.service.terms.advertiserValues).toBe(false);
      const measure = { values: { amount: amounts(1000) }, valueBound: 10 };
      expect(await codeOf(() => matchOverHttp({ server: service.url, items: list(1000, 300), workers: 1, measure }))).toBe(
        'COLUMN_UNKNOWN',
      );
    });
    const budget = { charge: async () => undefined, status: (id: string) => new MemoryBudget().status(id) };
    await withService({ budget }, async (service) => {
      const plain = await matchOverHttp({ server: service.url, items: list(1000, 300), workers: 1 });
      expect(plain.aggregates).toBeUndefined();
    });
  });
});
