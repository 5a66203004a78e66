import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { createParty, runLocal } from '../../src/node.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer, type PsiServer } from '../../src/transport/server.js';
import { codeOf } from '../protocol/helpers.js';
import { emails } from '../transport/helpers.js';

const users = emails(0, 3000);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function withService<T>(opts: Partial<Parameters<typeof startPsiServer>[0]>, fn: (s: PsiServer) => Promise<T>): Promise<T> {
  const service = await startPsiServer({ items: users, workers: 1, ...opts });
  try {
    return await fn(service);
  } finally {
    await service.close();
  }
}

/** `n` distinct client items of which the first `overlap` are platform users. */
const list = (n: number, overlap: number) => [...emails(0, overlap), ...emails(100_000, n - overlap, 'x')];

describe('the default service releases figures under a disclosure policy', () => {
  it('refuses 1-row and 99-row lists before any blinding, and accepts 100 distinct items', async () => {
    await withService({}, async (service) => {
      for (const n of [1, 99]) {
        const e = await matchOverHttp({ server: service.url, items: list(n, Math.min(n, 10)), workers: 1 }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(PsiError);
        expect((e as PsiError).code).toBe('TOO_FEW_ITEMS');
      }
      const ok = await matchOverHttp({ server: service.url, items: list(1000, 400), workers: 1 });
      expect(ok.learn).toBe('released');
      expect(ok.released?.value).toBeGreaterThan(300);
      const least = await matchOverHttp({ server: service.url, items: list(100, 10), workers: 1 });
      expect(least.learn).toBe('released');
    });
  });

  it('answers a repeated list with the identical figure, and never the exact count', async () => {
    await withService({ policy: { epsilon: 0.25, significantDigits: null } }, async (service) => {
      // 1,234 in common: unrounded (significantDigits null), so only the noise hides it.
      const items = list(1500, 1234);
      const keySeed = new Uint8Array(32).fill(3);
      const first = await matchOverHttp({ server: service.url, items, workers: 1, keySeed });
      const second = await matchOverHttp({ server: service.url, items, workers: 1, keySeed });
      expect(second.released).toEqual(first.released);
      expect(first.size).toBeUndefined();
      expect(first.matches).toBeUndefined();
      expect(first.released!.value).not.toBeNull();
      // Another list gets fresh noise: it is not bound to give the same offset.
      const other = await matchOverHttp({ server: service.url, items: [...items, 'y@example.com'], workers: 1, keySeed });
      expect(other.released).toBeDefined();
    });
  });

  it('refuses the session that would exceed the privacy budget, also after a restart', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'bj-state-'));
    dirs.push(stateDir);
    const opts = { stateDir, budgetEpsilon: 0.5, policy: { epsilon: 0.25 } };
    const items = list(1000, 300);
    await withService(opts, async (service) => {
      await matchOverHttp({ server: service.url, items, workers: 1 });
      await matchOverHttp({ server: service.url, items, workers: 1 });
      expect(await codeOf(() => matchOverHttp({ server: service.url, items, workers: 1 }))).toBe('BUDGET_EXCEEDED');
    });
    await withService(opts, async (service) => {
      expect(await codeOf(() => matchOverHttp({ server: service.url, items, workers: 1 }))).toBe('BUDGET_EXCEEDED');
    });
  });

  it('publishes its terms, and refuses a client asking for the exact size with MODE_MISMATCH', async () => {
    await withService({}, async (service) => {
      const terms = (await (await fetch(`${service.url}/v1/terms`)).json()) as Record<string, unknown>;
      expect(terms).toMatchObject({ learn: 'intersection', peerLearns: 'released', disclosure: 'policy', minItems: 100 });
      expect(
        await codeOf(() =>
          matchOverHttp({ server: service.url, items: list(1000, 10), learn: 'size', peerLearns: 'intersection', workers: 1 }),
        ),
      ).toBe('MODE_MISMATCH');
    });
  });
});

describe("the 'released' mode of the library", () => {
  it('gives the initiator only the released figure and the responder the matches and what it released', async () => {
    const mine = list(1200, 700);
    const advertiser = createParty({ role: 'initiator', items: mine, learn: 'released', peerLearns: 'intersection', workers: 1 });
    const platform = createParty({
      role: 'responder',
      items: users,
      learn: 'intersection',
      peerLearns: 'released',
      workers: 1,
      disclosure: { policy: { threshold: 100 } },
    });
    await runLocal(advertiser, platform);
    const got = advertiser.result();
    expect(Object.keys(got).sort()).toEqual(['ownSize', 'peerSize', 'released']);
    expect(Math.abs(got.released!.value! - 700)).toBeLessThanOrEqual(100);
    expect(platform.result().size).toBe(700);
    expect(platform.result().released).toEqual(got.released);
  });

  it('withholds a figure below the threshold', async () => {
    const advertiser = createParty({ role: 'initiator', items: list(500, 20), learn: 'released', peerLearns: 'size', workers: 1 });
    const platform = createParty({ role: 'responder', items: users, learn: 'size', peerLearns: 'released', workers: 1 });
    await runLocal(advertiser, platform);
    expect(advertiser.result().released).toMatchObject({ value: null, threshold: 100 });
  });

  it.each([
    ['initiator learns released from a peer that learns nothing', { learn: 'released', peerLearns: 'none' }],
    ['released both ways', { learn: 'released', peerLearns: 'released' }],
    ['a disclosure policy when the peer does not learn released', { learn: 'size', peerLearns: 'size', disclosure: {} }],
  ] as const)('refuses %s with OPTIONS_INVALID', async (_, terms) => {
    expect(await codeOf(() => createParty({ role: 'responder', items: ['a'], ...terms }))).toBe('OPTIONS_INVALID');
  });
});
