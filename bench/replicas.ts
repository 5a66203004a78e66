/**
 * Session throughput of 1 and 3 replicas of `blindjoin serve --database` on one
 * PostgreSQL: every session charges the shared budget and item quota and is
 * registered in the shared session registry. Replicas are child processes on
 * loopback (one worker thread each); the clients run in this process, `--concurrency`
 * sessions at a time, spread round-robin over the replicas. Each replica serves one
 * warm-up session first (it blinds the platform's set once per key, per replica).
 * Rounds alternate 1, 3, 1, 3 so that both see the same background load; the load
 * average is recorded with every round. Peak RSS is each replica's VmHWM.
 *
 *   npx tsx bench/replicas.ts                       # 24 sessions per round, 8 at a time
 *   npx tsx bench/replicas.ts --sessions 96 --concurrency 24 --rounds 2
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { psiItem } from '../src/identifiers/item.js';
import { matchOverHttp } from '../src/transport/match-over-http.js';
import { machineInfo, printTable, writeResults } from './lib/index.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const SERVER = process.env.BLINDJOIN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';
const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '24' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    users: { type: 'string', default: '2000' },
    items: { type: 'string', default: '200' },
  },
});
const SESSIONS = Number(args.sessions);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const USERS = Number(args.users);
const ITEMS = Number(args.items);
const load = () => Number(loadavg()[0]!.toFixed(2));

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface Replica {
  url: string;
  child: ChildProcess;
}

function startReplica(args: string[]): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, BLINDJOIN_DATABASE_URL: '' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m !== null) resolve({ url: m[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Math.round(Number(m[1]) / 1024);
}

async function round(replicas: Replica[], token: string, items: Uint8Array[]) {
  const loadAtStart = load();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < SESSIONS; i = next++) {
      const t = performance.now();
      await matchOverHttp({ server: replicas[i % replicas.length]!.url, token, items });
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    replicas: replicas.length,
    sessions: SESSIONS,
    concurrency: CONCURRENCY,
    sessionsPerSecond: Number((SESSIONS / seconds).toFixed(2)),
    medianMs: Math.round(latencies[Math.floor(latencies.length / 2)]!),
    p95Ms: Math.round(latencies[Math.floor(latencies.length * 0.95)]!),
    peakRssMiB: replicas.map((r) => peakRssMiB(r.child.pid!)).join('/'),
    loadStart: loadAtStart,
    loadEnd: load(),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bj-bench-replicas-'));
const name = `bj_bench_${randomBytes(6).toString('hex')}`;
await admin(`CREATE DATABASE ${name}`);
const fleets: Replica[][] = [];
try {
  const users = join(dir, 'users.csv');
  writeFileSync(users, ['email', ...Array.from({ length: USERS }, (_, i) => `user${i}@example.com`)].join('\n') + '\n');
  const token = `bench-${'t'.repeat(40)}`;
  writeFileSync(join(dir, 'tokens'), `bench ${token}\n`);
  const items = Array.from({ length: ITEMS }, (_, i) => psiItem('email', i % 2 === 0 ? `user${i}@example.com` : `other${i}@example.org`));
  const base = [
    ...['--input', users, '--column', 'email', '--type', 'email', '--database', `${SERVER}/${name}`],
    ...['--tokens-file', join(dir, 'tokens'), '--budget', '1000000', '--min-items', '10', '--max-sessions', '64', '--workers', '1'],
  ];
  const one = [await startReplica(base)];
  const three = [one[0]!, ...(await Promise.all([0, 1].map(() => startReplica(base))))];
  fleets.push(three);
  // Warm-up: each replica blinds the platform's set under its key once.
  await Promise.all(three.map((r) => matchOverHttp({ server: r.url, token, items })));
  const rows = [];
  for (let r = 0; r < ROUNDS; r++) {
    rows.push(await round(one, token, items));
    rows.push(await round(three, token, items));
  }
  printTable(rows);
  const path = writeResults('replicas', {
    machine: machineInfo(),
    cores: cpus().length,
    users: USERS,
    clientItems: ITEMS,
    rows,
  });
  console.log(`results: ${path}`);
} finally {
  for (const r of fleets.flat()) r.child.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
}
