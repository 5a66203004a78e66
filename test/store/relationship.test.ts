import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import type { SessionResult } from '../../src/service/result.js';
import { updateStore } from '../../src/store/update.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import type { Reveal } from '../../src/wire/reveal.js';
import { users, withDir } from './helpers.js';

const seedA = new Uint8Array(32).fill(7);
const seedB = new Uint8Array(32).fill(9);

describe('relationship keys', () => {
  it.each<[Reveal, Reveal]>([
    ['intersection', 'released'],
    // The service must get its set back in order to keep it; a client that joins itself would need the
    // platform's set it no longer receives: these sessions run in full.
    ['size', 'released'],
    ['intersection', 'size'],
  ])(
    'service learns %s, client %s: later sessions send only what changed, with the results of a fresh session',
    async (learn, peerLearns) => {
      await withDir(async (dir) => {
        const storeDir = join(dir, 'store');
        await prepareStore(storeDir, users(200), { segmentItems: 16, workers: 1 });
        const results: SessionResult[] = [];
        const log: string[] = [];
        const policy = peerLearns === 'released';
        const service = await startPsiServer({
          storeDir,
          workers: 1,
          learn,
          peerLearns,
          disclosure: policy ? 'policy' : 'exact',
          minItems: 1,
          ...(policy
            ? { policy: { epsilon: 10_000, threshold: null, significantDigits: null }, budget: new MemoryBudget({ budget: 1e6 }) }
            : {}),
          log: (line) => log.push(line),
          onResult: (r) => {
            results.push(r);
          },
        });
        try {
          /** A session with and one without the relationship: their results, and the elements the first was sent. */
          const both = async (customers: string[], keySeed: Uint8Array) => {
            const related = await matchOverHttp({
              server: service.url,
              items: customers,
              workers: 1,
              relationship: { id: 'crm', keySeed },
            });
            const opened = log.filter((l) => l.includes(' started: ')).at(-1)!;
            const sent = Number(/relationship crm: (\d+) elements sent/.exec(opened)?.[1] ?? 'NaN');
            const withRel = results.at(-1)!;
            const done = log.filter((l) => l.includes(`${withRel.summary.sessionId} `) && l.includes(' done: ')).at(-1)!;
            const memoHits = Number(/(\d+) client elements re-blinded by an earlier session/.exec(done)?.[1] ?? 'NaN');
            const fresh = await matchOverHttp({ server: service.url, items: customers, workers: 1 });
            const without = results.at(-1)!;
            expect(withRel.rows).toEqual(without.rows);
            expect(withRel.summary.matched).toBe(without.summary.matched);
            expect(withRel.summary.size).toBe(without.summary.size);
            expect(withRel.summary.released?.value).toBe(without.summary.released?.value);
            expect(related.released?.value).toBe(fresh.released?.value);
            expect(related.size).toBe(fresh.size);
            // One user per row, noise rounded away: the figure counts matched rows, added files' lines included.
            if (policy && learn === 'intersection') expect(withRel.summary.released?.value).toBe(withRel.summary.matched);
            return { sent, memoHits, rows: (withRel.rows ?? []).map((r) => r.value), size: withRel.summary.size };
          };
          const related = learn === 'intersection' && peerLearns === 'released';
          const first = await both(users(60, 170).items, seedA);
          expect(first.sent).toBe(related ? 200 : NaN);
          expect(first.size).toBe(30);
          // The same key again: nothing of the platform's set is sent, everything is joined from what was kept.
          const second = await both([...users(40, 0).items, ...users(10, 500).items], seedA);
          expect(second.sent).toBe(related ? 0 : NaN);
          expect(second.size).toBe(40);
          // The platform changes: only the changed and new segments are sent.
          await updateStore(storeDir, { add: users(5, 300), remove: ['u1@example.com'], workers: 1 });
          const third = await both([...users(40, 0).items, ...users(10, 300).items], seedA);
          if (related) expect(third.sent).toBeGreaterThan(0);
          if (related) expect(third.sent).toBeLessThan(100);
          expect(third.size).toBe(39 + 5);
          // Its 40 items also in the second session come as the same bytes: the service multiplies only the 10 others.
          expect(third.memoHits).toBe(related ? 40 : NaN);
          // Another key (a client that lost its key file): everything is sent again, results still right.
          const fourth = await both(users(40, 0).items, seedB);
          expect(fourth.sent).toBe(related ? 205 : NaN);
          expect(fourth.size).toBe(39);
          // Under another key the client's elements are other bytes: nothing is taken from the memo.
          expect(fourth.memoHits).toBe(related ? 0 : NaN);
        } finally {
          await service.close();
        }
      });
    },
  );
});
