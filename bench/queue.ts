/**
 * The job queue's own cost per segment job, on BullMQ's two backends: `n` jobs like
 * `prepare --queue`'s (a small JSON object) added one by one, then taken and completed by one
 * worker doing no work. What a segment of 65,536 users costs in blinding (seconds) dwarfs it.
 *
 *   npx tsx bench/queue.ts --jobs 1000 --redis redis://127.0.0.1:6379 --postgres postgres://root@127.0.0.1:5432/test
 *
 * BullMQ leaves its (empty) schema `bullmq` in the PostgreSQL database: drop it afterwards if it is not used.
 */
import { loadavg } from 'node:os';
import { connectQueue } from '../src/queue/connection.js';
import { printTable, writeResults } from './lib/index.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : process.argv[at + 1]!;
}

const jobs = Number(arg('jobs', '1000'));
const backends = { redis: arg('redis', 'redis://127.0.0.1:6379'), postgres: arg('postgres', 'postgres://root@127.0.0.1:5432/test') };
const rows: Record<string, string | number>[] = [];
for (const [backend, url] of Object.entries(backends)) {
  const link = connectQueue({ url, name: `bench-queue-${process.pid}` });
  const queue = link.queue();
  const load = loadavg()[0]!.toFixed(2);
  try {
    const added = performance.now();
    for (let i = 0; i < jobs; i++) {
      await queue.add(
        'blind',
        { store: '/mnt/store', epoch: 'e1', segment: i, count: 65_536, group: 'x25519' },
        { jobId: `e1.${i}`, removeOnComplete: true },
      );
    }
    const addMs = performance.now() - added;
    let done = 0;
    const taken = performance.now();
    await new Promise<void>((resolve) => {
      link.worker(
        async () => {
          if (++done === jobs) setImmediate(resolve);
          return {};
        },
        { concurrency: 1 },
      );
    });
    const takeMs = performance.now() - taken;
    rows.push({ backend, jobs, 'add /s': Math.round(jobs / (addMs / 1000)), 'take+complete /s': Math.round(jobs / (takeMs / 1000)), load });
  } finally {
    await queue.obliterate({ force: true });
    await link.close();
  }
}
printTable(rows);
console.log(`results: ${writeResults('queue', { jobs, rows })}`);
