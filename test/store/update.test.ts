import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionResult } from '../../src/service/result.js';
import { openStore } from '../../src/store/reader.js';
import { updateStore } from '../../src/store/update.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { users, withDir } from './helpers.js';

/** The values of the platform's rows the customers match, served from `storeDir`. */
async function matchedValues(storeDir: string, customers: string[]): Promise<string[]> {
  const results: SessionResult[] = [];
  const service = await startPsiServer({
    storeDir,
    workers: 1,
    disclosure: 'exact',
    peerLearns: 'size',
    minItems: 1,
    onResult: (r) => {
      results.push(r);
    },
  });
  try {
    await matchOverHttp({ server: service.url, items: customers, workers: 1 });
    return results[0]!.rows!.map((r) => r.value).sort();
  } finally {
    await service.close();
  }
}

describe('incremental add and remove', () => {
  it('match the same users as a fresh prepare of the updated list, without touching unchanged segments', async () => {
    await withDir(async (dir) => {
      const base = users(400);
      const extra = users(60, 390); // u390..u399 are stored already: they gain a row, not an element
      const gone = ['u3@example.com', 'u77@example.com', 'u395@example.com', 'u440@example.com', 'never@example.com'];
      const incremental = join(dir, 'incremental');
      await prepareStore(incremental, base, { segmentItems: 16, workers: 1 });
      const before = (await openStore(incremental)).manifest;
      const addResult = await updateStore(incremental, { add: extra, workers: 1 });
      expect(addResult).toMatchObject({ added: 50, present: 10, removed: 0 });
      const removeResult = await updateStore(incremental, { remove: gone, workers: 1 });
      expect(removeResult).toMatchObject({ removed: 4, notFound: 1 });
      const after = removeResult.manifest;
      expect(after).toMatchObject({ elements: 450, removed: 4, items: 460 });
      // Segments that held neither a removed nor a re-added user keep their files.
      const unchanged = after.segments.filter((s, i) => i < before.segments.length && s.gen === before.segments[i]!.gen);
      expect(unchanged.length).toBeGreaterThan(0);

      const goneSet = new Set(gone);
      const union = [...new Set([...base.items, ...extra.items])].filter((u) => !goneSet.has(u));
      const fresh = join(dir, 'fresh');
      await prepareStore(
        fresh,
        { items: union, rows: union.map((value, i) => ({ line: i + 2, value })) },
        { segmentItems: 16, workers: 1 },
      );
      const customers = [...users(470).items.filter((_, i) => i % 3 !== 1), ...gone, 'x@example.com'];
      const expected = union.filter((u) => customers.includes(u)).sort();
      // The re-added users u390..u399 appear once per row: their original row and the added one.
      const incrementalValues = [...new Set(await matchedValues(incremental, customers))];
      expect(incrementalValues).toEqual(expected);
      expect(await matchedValues(fresh, customers)).toEqual(expected);
    });
  });
});
