import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionResult } from '../../src/service/result.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { users, withDir } from '../store/helpers.js';
import { createTestDatabase } from './database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String);
}

it('keeps relationship states in PostgreSQL: a second replica on the same store sends nothing again', async () => {
  await withDir(async (dir) => {
    const storeDir = join(dir, 'store');
    await prepareStore(storeDir, users(200), { segmentItems: 16, workers: 1 });
    const results: SessionResult[] = [];
    const log: string[] = [];
    const start = () =>
      startPsiServer({
        storeDir,
        database: database.url,
        workers: 1,
        minItems: 1,
        budgetEpsilon: 1e6,
        policy: { epsilon: 10_000, threshold: null, significantDigits: null },
        log: (line) => log.push(line),
        onResult: (r) => void results.push(r),
      });
    const [a, b] = [await start(), await start()];
    try {
      const customers = users(60, 170).items;
      const relationship = { id: 'crm', keySeed: new Uint8Array(32).fill(7) };
      const sent = () => Number(/relationship crm: (\d+) elements sent/.exec(log.filter((l) => l.includes(' started: ')).at(-1)!)![1]);
      const first = await matchOverHttp({ server: a.url, items: customers, workers: 1, relationship });
      expect(sent()).toBe(200);
      // The other replica reads what the first kept from the database, and the kept files from the shared store.
      const second = await matchOverHttp({ server: b.url, items: customers, workers: 1, relationship });
      expect(sent()).toBe(0);
      expect(second.released?.value).toBe(first.released?.value);
      expect(results.map((r) => r.summary.matched)).toEqual([30, 30]);
      expect(results[1]!.rows).toEqual(results[0]!.rows);
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      const { rows } = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM relationship_states WHERE relationship_id = 'crm'");
      await db.end();
      expect(rows[0]!.n).toBe('1');
      expect((await filesUnder(join(storeDir, 'relationships'))).filter((f) => f.endsWith('state.json'))).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
}, 120_000);
