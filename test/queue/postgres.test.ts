import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { queueSink } from '../../src/queue/queue-sink.js';
import { runSegmentWorker } from '../../src/queue/segment-worker.js';
import { openStore } from '../../src/store/reader.js';
import { prepareStore } from '../../src/store/writer.js';
import { users, withDir } from '../store/helpers.js';

const SERVER = 'postgres://root@127.0.0.1:5432';

/** Runs `fn` with a database of its own on the local PostgreSQL, dropped afterwards. */
async function withDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  const name = `bj_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${SERVER}/test` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      await fn(`${SERVER}/${name}`);
    } finally {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

describe('prepare --queue postgres://', () => {
  it('runs the same queue on PostgreSQL: workers blind every segment and the store verifies', async () => {
    await withDatabase(async (url) => {
      await withDir(async (dir) => {
        const queue = { url, name: 'prepare-test' };
        const stop = new AbortController();
        const worker = runSegmentWorker({ queue, workers: 1 }, stop.signal);
        try {
          const platform = users(300);
          const manifest = await prepareStore(join(dir, 'store'), platform, {
            epoch: 'e1',
            segmentItems: 64,
            sink: queueSink({ queue, pollMs: 50 }),
          });
          expect(manifest).toMatchObject({ elements: 300, segments: expect.any(Array) as unknown });
          expect(manifest.segments).toHaveLength(5);
          const opened = await openStore(join(dir, 'store'));
          try {
            const rows = await opened.rowsOf(Array.from({ length: 300 }, (_, p) => p));
            expect(rows.map((r) => r.row)).toEqual(platform.rows);
          } finally {
            opened.close();
          }
        } finally {
          stop.abort();
          await worker;
        }
      });
    });
  }, 120_000);
});
