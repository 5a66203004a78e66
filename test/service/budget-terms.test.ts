import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { SessionService } from '../../src/service/engine.js';
import { budgetView, formatDuration } from '../../src/service/budget-view.js';
import { parseTokens } from '../../src/service/tokens.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { emails, raw } from '../transport/helpers.js';

const token = 't'.repeat(40);

describe('the budget people can see', () => {
  it('shows a token its budget in the terms, one release less after each session', async () => {
    const service = await startPsiServer({ items: emails(0, 300), workers: 1, tokens: parseTokens(`acme ${token}\n`) });
    try {
      const open = (await raw(service.url, 'GET', '/v1/terms')).json();
      expect(open).toMatchObject({ tokenRequired: true, users: 300, minItems: 100 });
      expect(open.budget).toBeUndefined();
      expect((await raw(service.url, 'GET', '/v1/terms', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const terms = async () =>
        (await raw(service.url, 'GET', '/v1/terms', { headers: { authorization: `Bearer ${token}` } })).json().budget as {
          nextCreditAt: string;
        };
      expect(await terms()).toEqual({
        spent: 0,
        remaining: 1,
        budget: 1,
        window: '30d',
        windowMs: 30 * 86_400_000,
        nextCreditAt: null,
        epsilonPerRelease: 0.25,
        releasesLeft: 4,
      });
      const items = [...emails(0, 50), ...emails(0, 100, 'x')];
      for (let session = 1; session <= 2; session++) {
        const before = Date.now();
        const result = await matchOverHttp({ server: service.url, token, items: [...items, `extra${session}@example.com`], workers: 1 });
        const after = await terms();
        expect(result.budget).toEqual(after);
        expect(after).toMatchObject({ spent: 0.25 * session, remaining: 1 - 0.25 * session, releasesLeft: 4 - session });
        expect(Date.parse(after.nextCreditAt)).toBeGreaterThanOrEqual(before - 60_000 + 30 * 86_400_000 - 3_600_000);
      }
    } finally {
      await service.close();
    }
  });

  it('counts users, not identifiers, when users have several identifier columns', async () => {
    const service = new SessionService({
      items: ['a@x.com', '+15550001', 'b@x.com'],
      rows: [
        { line: 2, value: 'u1', cells: ['u1'] },
        { line: 2, value: 'u1', cells: ['u1'] },
        { line: 3, value: 'u2', cells: ['u2'] },
      ],
      rowColumns: ['user_id'],
      workers: 1,
    });
    try {
      expect(service.terms.users).toBe(2);
    } finally {
      await service.close();
    }
  });

  it('counts releases left in exact micro-units, with the window as the flags write it', async () => {
    const budget = new MemoryBudget({ budget: 1, windowMs: 7 * 86_400_000 });
    await budget.charge('acme', 0.3, 1000);
    const view = await budgetView(budget, 'acme', 0.1, 2000);
    expect(view).toMatchObject({
      remaining: 0.7,
      releasesLeft: 7,
      window: '7d',
      nextCreditAt: new Date(1000 + 7 * 86_400_000).toISOString(),
    });
    expect([formatDuration(3_600_000), formatDuration(90_000), formatDuration(1500)]).toEqual(['1h', '90s', '1500ms']);
  });
});
