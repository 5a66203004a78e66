import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectQueue } from '../../src/queue/connection.js';
import { queueSink } from '../../src/queue/queue-sink.js';
import { runSegmentWorker } from '../../src/queue/segment-worker.js';
import { storePaths } from '../../src/store/layout.js';
import { openStore } from '../../src/store/reader.js';
import { prepareStore } from '../../src/store/writer.js';
import { users, withDir } from '../store/helpers.js';

const REDIS = 'redis://127.0.0.1:6379';

describe('prepare --queue resumes after its coordinator stops', () => {
  it('keeps the key and the segments the workers wrote, and commits the same store', async () => {
    await withDir(async (dir) => {
      const queue = { url: REDIS, name: `bj-test-${randomBytes(6).toString('hex')}` };
      const stopWorker = new AbortController();
      const worker = runSegmentWorker({ queue, workers: 1, stalledAfterMs: 2000 }, stopWorker.signal);
      const platform = users(600);
      const store = join(dir, 'store');
      const opts = { epoch: 'e1', segmentItems: 50, workers: 1, sink: queueSink({ queue, pollMs: 50 }) };
      try {
        const stop = new AbortController();
        const crashed = prepareStore(store, platform, {
          ...opts,
          signal: stop.signal,
          onProgress: (done) => {
            if (done === 3) stop.abort(new Error('coordinator stopped'));
          },
        });
        await expect(crashed).rejects.toThrow('coordinator stopped');
        const key = await readFile(storePaths(store, 'e1').key);
        const progress: number[] = [];
        const manifest = await prepareStore(store, platform, { ...opts, onProgress: (done) => progress.push(done) });
        expect(manifest).toMatchObject({ epoch: 'e1', elements: 600, items: 600 });
        expect(progress.at(-1)).toBe(12);
        expect(await readFile(storePaths(store, 'e1').key)).toEqual(key);
        const opened = await openStore(store);
        try {
          const rows = await opened.rowsOf(Array.from({ length: 600 }, (_, p) => p));
          expect(rows.map((r) => r.row)).toEqual(platform.rows);
        } finally {
          opened.close();
        }
      } finally {
        stopWorker.abort();
        await worker;
        const link = connectQueue(queue);
        await link.queue().obliterate({ force: true });
        await link.close();
      }
    });
  }, 120_000);
});
