import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import type { SessionResult } from '../../src/service/result.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer, type PsiServerOptions } from '../../src/transport/server.js';
import type { Reveal } from '../../src/wire/reveal.js';
import { users, withDir } from './helpers.js';

const platform = users(300);
// 120 customers, 70 of them platform users; a duplicate platform row makes one user two rows.
platform.items.push('u5@example.com');
platform.rows.push({ line: 302, value: 'U5@example.com' });
const customers = ['u5@example.com', ...users(69, 200).items, ...users(50, 9000).items];

/** One session against a service on `source`; returns what both sides saw. */
async function session(
  source: Pick<PsiServerOptions, 'items' | 'rows' | 'rowColumns' | 'storeDir'>,
  learn: Reveal,
  peerLearns: Reveal,
  clientItems: readonly string[] = customers,
) {
  const results: SessionResult[] = [];
  const disclosure = peerLearns === 'released' ? 'policy' : 'exact';
  const service = await startPsiServer({
    ...source,
    workers: 1,
    learn,
    peerLearns,
    disclosure,
    minItems: 1,
    chunkItems: 16,
    responseBytes: 2000,
    // Noise this small rounds away: the released figure is the exact count under the same policy.
    ...(disclosure === 'policy'
      ? { policy: { epsilon: 10_000, threshold: null, significantDigits: null }, budget: new MemoryBudget({ budget: 10_000 }) }
      : {}),
    onResult: (r) => {
      results.push(r);
    },
  });
  try {
    const client = await matchOverHttp({ server: service.url, items: clientItems, workers: 1, chunkItems: 16 });
    const { summary, rows } = results[0]!;
    return {
      client: { size: client.size, matches: client.matches, released: client.released?.value, peerSize: client.peerSize },
      service: {
        size: summary.size,
        matched: summary.matched,
        released: summary.released?.value,
        rows,
        items: summary.items,
        total: summary.rows,
      },
    };
  } finally {
    await service.close();
  }
}

const COMBINATIONS: [Reveal, Reveal][] = [
  ['intersection', 'released'],
  ['size', 'released'],
  ['intersection', 'size'],
  ['intersection', 'intersection'],
  ['intersection', 'none'],
  ['size', 'size'],
  ['none', 'size'],
  ['none', 'intersection'],
];

describe('a store serves the same results as the items it was prepared from', () => {
  it.each(COMBINATIONS)('service learns %s, client learns %s', async (learn, peerLearns) => {
    await withDir(async (dir) => {
      const storeDir = join(dir, 'store');
      await prepareStore(storeDir, platform, { segmentItems: 37, workers: 1 });
      const plain = await session({ items: platform.items, rows: platform.rows }, learn, peerLearns);
      const stored = await session({ storeDir }, learn, peerLearns);
      expect(stored).toEqual(plain);
      if (learn === 'intersection') expect(stored.service.rows).toHaveLength(71);
    });
  });

  it('counts and names users with several identifiers once, as the items path does', async () => {
    await withDir(async (dir) => {
      // 150 users with an email and a phone each, on one row per user; the emitted cell is the user id.
      const items: string[] = [];
      const rows: { line: number; value: string; cells: string[] }[] = [];
      for (let u = 0; u < 150; u++) {
        const row = { line: u + 2, value: `u${u}@example.com +1555${u}`, cells: [`id${u}`] };
        items.push(`u${u}@example.com`, `+1555${u}`);
        rows.push(row, row);
      }
      // 40 users matched by both identifiers, 30 by one: 70 users, 110 identifiers.
      const clientItems = [
        ...Array.from({ length: 40 }, (_, u) => [`u${u}@example.com`, `+1555${u}`]).flat(),
        ...Array.from({ length: 30 }, (_, u) => `+1555${u + 100}`),
        ...users(40, 5000).items,
      ];
      const storeDir = join(dir, 'store');
      await prepareStore(storeDir, { items, rows, columns: ['user_id'] }, { segmentItems: 29, workers: 1 });
      const plain = await session({ items, rows, rowColumns: ['user_id'] }, 'intersection', 'released', clientItems);
      const stored = await session({ storeDir }, 'intersection', 'released', clientItems);
      expect(stored).toEqual(plain);
      expect(stored.service).toMatchObject({ size: 110, matched: 70, released: 70 });
    });
  });
});
