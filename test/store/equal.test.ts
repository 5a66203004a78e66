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
async function session(source: Pick<PsiServerOptions, 'items' | 'rows' | 'storeDir'>, learn: Reveal, peerLearns: Reveal) {
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
    const client = await matchOverHttp({ server: service.url, items: customers, workers: 1, chunkItems: 16 });
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
});
