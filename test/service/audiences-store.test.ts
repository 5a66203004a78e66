import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { users, withDir } from '../store/helpers.js';

it('keeps audiences of a prepared store, and a remove session on it releases nothing and costs nothing', async () => {
  await withDir(async (dir) => {
    const platform = users(200);
    const storeDir = join(dir, 'store');
    const out = join(dir, 'out');
    await prepareStore(storeDir, platform, { segmentItems: 37, workers: 1 });
    const budget = new MemoryBudget();
    const service = await startPsiServer({ storeDir, outDir: out, workers: 1, minItems: 1, budget });
    try {
      expect(service.handler.service.terms.users).toBe(200);
      const customers = [...users(120).items, ...users(30, 9000).items];
      await matchOverHttp({ server: service.url, items: customers, workers: 1, audience: { name: 'Store buyers' } });
      const file = join(out, 'audiences', 'anonymous', 'Store%20buyers.csv');
      const members = (await readFile(file, 'utf8')).trimEnd().split('\n');
      expect(members[0]).toBe('value');
      expect(members.slice(1).sort()).toEqual(users(120).items.sort());
      const spent = budget.status('anonymous').spent;
      const removed = await matchOverHttp({
        server: service.url,
        items: users(10).items,
        workers: 1,
        audience: { name: 'Store buyers', mode: 'remove' },
      });
      expect(removed.released).toBeUndefined();
      expect(budget.status('anonymous').spent).toBe(spent);
      const after = (await readFile(file, 'utf8')).trimEnd().split('\n').slice(1).sort();
      expect(after).toEqual(users(110, 10).items.sort());
    } finally {
      await service.close();
    }
  });
});
