import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionResult } from '../../src/service/index.js';
import { matchOverHttp } from '../../src/client.js';
import { startPsiServer } from '../../src/service.js';
import { emails, matchIndices, overlap, REVEALS } from './helpers.js';

// Duplicates on both sides; the responder's reply is split over several pulls.
const platform = [...emails(0, 240), 'p5@example.com', 'p7@example.com'];
const advertiser = [...emails(200, 90), ...emails(1000, 10), 'p210@example.com'];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('every reveal combination over HTTP', () => {
  for (const clientLearns of REVEALS) {
    for (const serviceLearns of REVEALS) {
      it(`client learns ${clientLearns}, service learns ${serviceLearns}`, async () => {
        const outDir = await mkdtemp(join(tmpdir(), 'bj-modes-'));
        dirs.push(outDir);
        const results: SessionResult[] = [];
        const service = await startPsiServer({
          disclosure: 'exact',
          items: platform,
          learn: serviceLearns,
          peerLearns: clientLearns,
          outDir,
          workers: 1,
          chunkItems: 40,
          responseBytes: 2_000,
          onResult: (r) => void results.push(r),
        });
        try {
          const got = await matchOverHttp({
            server: service.url,
            items: advertiser,
            learn: clientLearns,
            peerLearns: serviceLearns,
            workers: 1,
            chunkItems: 30,
          });
          const size = overlap(advertiser, platform);
          expect(got.peerSize).toBe(new Set(platform).size);
          expect(got.size).toBe(clientLearns === 'none' ? undefined : size);
          expect(got.matches).toEqual(clientLearns === 'intersection' ? matchIndices(advertiser, platform) : undefined);

          expect(results).toHaveLength(1);
          const { summary, rows } = results[0]!;
          expect(summary).toMatchObject({ sessionId: got.sessionId, tokenId: 'anonymous', learn: serviceLearns, peerLearns: clientLearns });
          expect(summary.peerSize).toBe(new Set(advertiser).size);
          expect(summary.size).toBe(serviceLearns === 'none' ? undefined : size);
          const expectedRows = matchIndices(platform, advertiser).map((i) => ({ line: i + 1, value: platform[i]! }));
          expect(rows).toEqual(serviceLearns === 'intersection' ? expectedRows : undefined);

          const files = await readdir(outDir);
          expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
          const summaryFile = files.find((f) => f.endsWith('.summary.json'))!;
          expect(JSON.parse(await readFile(join(outDir, summaryFile), 'utf8'))).toMatchObject(summary);
          expect(files.some((f) => f.endsWith('.matches.csv'))).toBe(serviceLearns === 'intersection');
          if (serviceLearns === 'intersection') {
            const csv = await readFile(
              join(
                outDir,
                files.find((f) => f.endsWith('.matches.csv'))!,
              ),
              'utf8',
            );
            expect(csv).toBe(`line,value\n${expectedRows.map((r) => `${r.line},${r.value}\n`).join('')}`);
          }
        } finally {
          await service.close();
        }
      });
    }
  }
});
