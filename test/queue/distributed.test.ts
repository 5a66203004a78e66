import { QueueEvents } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { psiItem } from '../../src/identifiers/item.js';
import { connectQueue } from '../../src/queue/connection.js';
import type { SessionResult } from '../../src/service/result.js';
import { openStore } from '../../src/store/reader.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { CLI, ensureBuilt } from '../cli/build.js';
import { blindjoin, captured, never } from '../cli/serve-in-process.js';
import { withDir } from '../store/helpers.js';

const REDIS = 'redis://127.0.0.1:6379';
const children = new Set<ChildProcess>();

beforeAll(ensureBuilt, 180_000);
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** A `blindjoin worker` child process on queue `name`, with its stderr so far. */
function startWorker(name: string): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  // noble is the slowest backend: a segment of 400 takes long enough to be killed in the middle of it.
  const args = ['worker', '--queue', REDIS, '--queue-name', name, '--workers', '1', '--backend', 'noble', '--stalled-after', '5s'];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => stderr, exited };
}

async function until(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  for (const started = Date.now(); !check();) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The segments a worker's log says it blinded. */
const blinded = (log: string) => new Set([...log.matchAll(/segment (\d+) of epoch e1: \d+ elements blinded/g)].map((m) => m[1]));

/** What a service on `storeDir` matches of `customers`: the platform's rows and the client's items. */
async function matches(storeDir: string, customers: string[]): Promise<{ rows: string[]; client: string[] }> {
  const results: SessionResult[] = [];
  const service = await startPsiServer({
    storeDir,
    workers: 1,
    learn: 'intersection',
    peerLearns: 'intersection',
    disclosure: 'exact',
    minItems: 1,
    onResult: (r) => {
      results.push(r);
    },
  });
  try {
    const client = await matchOverHttp({
      server: service.url,
      items: customers.map((c) => psiItem('email', c)),
      workers: 1,
      learn: 'intersection',
      peerLearns: 'intersection',
    });
    return {
      rows: (results[0]!.rows ?? []).map((r) => `${r.line}:${r.cells?.join('|')}`).sort(),
      client: [...(client.matches ?? [])].map(String).sort(),
    };
  } finally {
    await service.close();
  }
}

describe('prepare --queue with blindjoin workers', () => {
  it('survives a worker killed mid-segment: the store verifies and matches as a single-process prepare does', async () => {
    await withDir(async (dir) => {
      const users = Array.from({ length: 2400 }, (_, i) => `id${i},user${i}@example.com`);
      // Duplicates across segments: one user twice, and a second row for a user (both rows stay named).
      users.push('id7b,USER7@example.com', 'id9,user9@example.com');
      await writeFile(join(dir, 'users.csv'), `user_id,email\n${users.join('\n')}\n`);
      const name = `bj-test-${randomBytes(6).toString('hex')}`;
      const events = new QueueEvents(name, { connection: { host: '127.0.0.1', port: 6379 } });
      const stalled: string[] = [];
      events.on('stalled', ({ jobId }) => stalled.push(jobId));
      await events.waitUntilReady();
      const link = connectQueue({ url: REDIS, name });
      try {
        const flags = ['--column', 'email', '--type', 'email', '--emit', 'user_id', '--segment-items', '400', '--epoch', 'e1'];
        const coordinator = captured();
        const store = join(dir, 'store');
        const preparing = run(
          blindjoin('prepare', '--store', store, '--input', join(dir, 'users.csv'), ...flags, '--queue', REDIS, '--queue-name', name),
          coordinator,
          never,
        );
        const first = startWorker(name);
        await until(() => blinded(first.log()).size >= 1, 'the first segment');
        // It takes the next job as it finishes one: killed while blinding it.
        await new Promise((r) => setTimeout(r, 100));
        first.child.kill('SIGKILL');
        await first.exited;
        const second = startWorker(name);
        expect(await preparing, coordinator.stderr).toBe(0);
        expect(coordinator.stderr).toMatch(/2400 distinct identifiers from 2402 identifiers read \(2 duplicates\)/);
        expect(coordinator.stderr).toMatch(/epoch e1 prepared \(x25519\): 2400 elements in 6 segments/);
        // The killed worker's job was found stalled and blinded again by the other.
        await until(() => stalled.length >= 1, 'the stalled event', 10_000);
        expect(new Set([...blinded(first.log()), ...blinded(second.log())]).size).toBe(6);
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
        // Committed: every segment verifies, the work files are gone.
        const opened = await openStore(store);
        opened.close();
        expect((await readdir(join(store, 'epoch-e1'))).filter((f) => !/^seg-\d{6}\.0\.(el|rows)$/.test(f)).sort()).toEqual([
          'key',
          'manifest.json',
        ]);

        const single = join(dir, 'single');
        const alone = captured();
        expect(await run(blindjoin('prepare', '--store', single, '--input', join(dir, 'users.csv'), ...flags), alone, never)).toBe(0);
        const customers = [
          ...Array.from({ length: 50 }, (_, i) => `user${i * 23}@example.com`),
          'user7@example.com',
          'user9@example.com',
          'nobody@example.com',
        ];
        const distributed = await matches(store, customers);
        // 52 customers are users; user7 and user9 have two rows each.
        expect(distributed.client).toHaveLength(52);
        expect(distributed.rows).toHaveLength(54);
        expect(distributed.rows).toEqual(expect.arrayContaining(['9:id7', '2402:id7b', '11:id9', '2403:id9']));
        expect(await matches(single, customers)).toEqual(distributed);
      } finally {
        await events.close();
        await link.queue().obliterate({ force: true });
        await link.close();
      }
    });
  }, 300_000);
});
