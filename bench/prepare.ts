/**
 * `prepare` streamed, in one process and on workers: wall time, throughput and peak RSS.
 *
 * Every run is a child process under GNU time (`/usr/bin/time -v`), for its own peak RSS:
 *
 * - baseline: `prepare` of an earlier build given with `--baseline DIR` (its `dist/cli.js`),
 *   one blinding thread;
 * - single: this build's `prepare`, one process, one blinding thread;
 * - queue, k workers: `prepare --queue` (the coordinator: reads, partitions, orders, checks)
 *   with k `blindjoin worker --workers 1` processes on the same machine.
 *
 * The coordinator's stderr says when the input is read (`distinct identifiers`): the time
 * after it is the blinding phase, whose rate per worker process is what a fleet scales by.
 *
 *   npx tsx bench/prepare.ts                           # 10^5 users
 *   npx tsx bench/prepare.ts --full                    # 10^6 users
 *   npx tsx bench/prepare.ts --users 1e6 --baseline /tmp/base --queue redis://127.0.0.1:6379 --queue-workers 1,2
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { benchMode, printTable, writeResults } from './lib/index.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

const users = Number(arg('users') ?? (benchMode() === 'full' ? 1e6 : 1e5));
const baseline = arg('baseline');
const queueUrl = arg('queue') ?? 'redis://127.0.0.1:6379';
const queueWorkers = (arg('queue-workers') ?? '1,2').split(',').map(Number);

interface Child {
  done: Promise<{ code: number | null; stderr: string; rssMiB: number; seconds: number; inputAt?: number }>;
  stop(): void;
}

/** A child under GNU time; `inputAt` is when its stderr first said the input was read (s after start). */
function timed(args: string[]): Child {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-v', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let inputAt: number | undefined;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (inputAt === undefined && stderr.includes('distinct identifiers')) inputAt = (performance.now() - started) / 1000;
  });
  const done = new Promise<{ code: number | null; stderr: string; rssMiB: number; seconds: number; inputAt?: number }>((resolve) =>
    child.on('exit', (code) => {
      const kib = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({
        code,
        stderr,
        rssMiB: kib === null ? Number.NaN : Math.round(Number(kib[1]) / 1024),
        seconds: (performance.now() - started) / 1000,
        ...(inputAt === undefined ? {} : { inputAt }),
      });
    }),
  );
  // GNU time does not pass a signal on: stop the command it runs, and time reports when it ends.
  const stop = () => {
    const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' });
    for (const pid of ps.stdout.split('\n').filter((p) => p.trim() !== '')) process.kill(Number(pid), 'SIGTERM');
  };
  return { done, stop };
}

async function usersCsv(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('user_id,email\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `id${i},user${i}@example.com\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'bj-bench-prepare-'));
const input = join(dir, 'users.csv');
await usersCsv(input, users);
const prepareArgs = (store: string) => ['prepare', '--store', join(dir, store), '--input', input, '--column', 'email', '--type', 'email'];
const rows: Record<string, string | number>[] = [];

async function record(run: string, loadBefore: string, child: Child, workers: { rssMiB: number }[] = []): Promise<void> {
  const r = await child.done;
  if (r.code !== 0) throw new Error(`${run} failed:\n${r.stderr.slice(-2000)}`);
  const blinding = r.inputAt === undefined ? Number.NaN : r.seconds - r.inputAt;
  rows.push({
    run,
    users,
    seconds: Math.round(r.seconds * 10) / 10,
    'users/s': Math.round(users / r.seconds),
    'read s': r.inputAt === undefined ? '-' : Math.round(r.inputAt * 10) / 10,
    'blind s': Number.isNaN(blinding) ? '-' : Math.round(blinding * 10) / 10,
    'blinded/s': Number.isNaN(blinding) ? '-' : Math.round(users / blinding),
    'peak RSS MiB': r.rssMiB,
    'worker RSS MiB': workers.length === 0 ? '-' : workers.map((w) => w.rssMiB).join(' / '),
    'load before': loadBefore,
    'load after': load(),
  });
}

try {
  if (baseline !== undefined)
    await record(
      'baseline (earlier build), 1 thread',
      load(),
      timed([join(baseline, 'dist', 'cli.js'), ...prepareArgs('base'), '--workers', '1']),
    );
  await record('single process, 1 thread', load(), timed([CLI, ...prepareArgs('single'), '--workers', '1']));
  for (const k of queueWorkers) {
    const name = `bench-prepare-${process.pid}-${k}`;
    const before = load();
    const workers = Array.from({ length: k }, () => timed([CLI, 'worker', '--queue', queueUrl, '--queue-name', name, '--workers', '1']));
    const coordinator = timed([CLI, ...prepareArgs(`queue-${k}`), '--queue', queueUrl, '--queue-name', name]);
    await coordinator.done;
    for (const w of workers) w.stop();
    const done = await Promise.all(workers.map((w) => w.done));
    await record(`queue, ${k} worker process${k === 1 ? '' : 'es'} of 1 thread`, before, coordinator, done);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable(rows);
console.log(`results: ${writeResults(`prepare-${users}`, { users, queue: queueUrl.replace(/\/\/[^@]*@/, '//'), rows })}`);
