/**
 * The service's event loop while it blinds: `blindjoin serve --workers 1` (what a one-core
 * host runs) in a child process, N platform users, per-session keys (`--disclosure exact`),
 * so that one HELLO makes the service blind its whole set. This process polls `/healthz`
 * every 10 ms:
 *
 * - baseline: the idle service, in the same run;
 * - during a HELLO: from the moment it is sent until its answer (latency of every poll);
 * - SIGTERM during a HELLO: time from the signal to the process's exit, against the time
 *   the same HELLO takes to finish when left alone, and whether the HELLO got 201; sent
 *   right after the HELLO starts (while the service hashes its own set on the main
 *   thread), and again once `/healthz` answers (while the worker thread blinds).
 *
 * - the default policy (a key per day, the set blinded once at start): during a whole match
 *   of N client items (`blindjoin match` in another process).
 *
 * Also the service's peak RSS (VmHWM) and the load average before and after.
 *
 *   npx tsx bench/event-loop.ts                 # 10^5 platform users
 *   npx tsx bench/event-loop.ts --users 2e4
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame } from '../src/wire/frame.js';
import { encodeHandshake, GROUP_X25519 } from '../src/wire/messages.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const USERS = arg('--users', 1e5);
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'bj-bench-loop-'));
const csv = join(dir, 'users.csv');
writeFileSync(csv, `email\n${Array.from({ length: USERS }, (_, i) => `user${i}@example.com`).join('\n')}\n`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Service {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function serve(mode: string[]): Promise<Service> {
  const child = spawn(
    process.execPath,
    ['--import', TSX, MAIN, 'serve', '--input', csv, '--column', 'email', '--type', 'email', '--port', '0'].concat([
      ...mode,
      '--workers',
      '1',
      '--state-dir',
      mkdtempSync(join(dir, 'state-')),
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!/listening on/.test(stdout)) {
    if (child.exitCode !== null) throw new Error(stderr);
    await sleep(20);
  }
  return { child, url: /listening on (\S+)/.exec(stdout)![1]!, stderr: () => stderr, exited };
}

let fill = 1;
function hello(): { body: Uint8Array; id: string } {
  const sessionId = new Uint8Array(16).fill(fill++);
  const payload = encodeHandshake({ group: GROUP_X25519, learn: 'size', peerLearns: 'intersection', itemCount: 1000 });
  return { body: encodeFrame('hello', sessionId, 0, payload), id: Buffer.from(sessionId).toString('hex') };
}

const post = (url: string, body: Uint8Array) =>
  fetch(`${url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(body) }).then(
    async (r) => (await r.arrayBuffer(), r.status),
    () => 'connection closed' as const,
  );

/** Polls /healthz every 10 ms while `busy()` holds; the latency of each answer, in ms. */
async function poll(url: string, busy: () => boolean, max = Number.POSITIVE_INFINITY): Promise<number[] & { worstAt?: number }> {
  const out: number[] & { worstAt?: number } = [];
  const start = performance.now();
  let worst = -1;
  while (busy() && out.length < max) {
    const t = performance.now();
    await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
    const took = performance.now() - t;
    if (took > worst) [worst, out.worstAt] = [took, t - start];
    out.push(took);
    await sleep(10);
  }
  return out;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  const at = (xs as { worstAt?: number }).worstAt;
  return `n ${s.length}, median ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${s[s.length - 1]!.toFixed(1)} ms${at === undefined ? '' : ` (asked ${at.toFixed(0)} ms in)`}`;
};

const peakRss = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM'));
  return line?.replace(/\s+/g, ' ').trim() ?? 'unknown';
};

console.log(`event loop under blinding: ${USERS} platform users, serve --workers 1 --disclosure exact (a key per session)`);
console.log(`load average before: ${load()}`);
const service = await serve(['--disclosure', 'exact']);
const idle = await poll(service.url, () => true, 100);
console.log(`/healthz, idle service (baseline):     ${stats(idle)}`);

const h = hello();
let done = false;
const t0 = performance.now();
const answer = post(service.url, h.body).finally(() => (done = true));
while (!service.stderr().includes(`${h.id} (anonymous) started`)) await sleep(2);
const during = await poll(service.url, () => !done);
const status = await answer;
const helloMs = performance.now() - t0;
console.log(`/healthz, during a HELLO (${helloMs.toFixed(0)} ms, ${String(status)}): ${stats(during)}`);
console.log(`service peak RSS: ${peakRss(service.child.pid!)}`);

const second = hello();
let secondDone = false;
const secondAnswer = post(service.url, second.body).finally(() => (secondDone = true));
while (!service.stderr().includes(`${second.id} (anonymous) started`)) await sleep(2);
// The signal is handled once the main thread is free: after the service has hashed its own set for this HELLO.
const t1 = performance.now();
service.child.kill('SIGTERM');
const code = await service.exited;
const exitMs = performance.now() - t1;
const secondStatus = await secondAnswer;
console.log(
  `SIGTERM right after the HELLO started: exit ${code} after ${exitMs.toFixed(0)} ms; the HELLO got ${String(secondStatus)}${secondDone ? '' : ' (no answer)'}`,
);

// Again, but once the service answers /healthz while its worker thread blinds.
const third = await serve(['--disclosure', 'exact']);
const h3 = hello();
let thirdDone = false;
const thirdAnswer = post(third.url, h3.body).finally(() => (thirdDone = true));
while (!third.stderr().includes(`${h3.id} (anonymous) started`)) await sleep(2);
await fetch(`${third.url}/healthz`).then((r) => r.arrayBuffer());
const t3 = performance.now();
third.child.kill('SIGTERM');
const code3 = await third.exited;
const exit3 = performance.now() - t3;
console.log(
  `SIGTERM while the worker blinds: exit ${code3} after ${exit3.toFixed(0)} ms (the HELLO alone took ${helloMs.toFixed(0)} ms); ` +
    `the HELLO got ${String(await thirdAnswer)}${thirdDone ? '' : ' (no answer)'}`,
);

// The default policy: a key per day, the set blinded once at start; a client of N items matches.
const policy = await serve(['--min-items', '1', '--budget', '100']);
let matched = false;
const t2 = performance.now();
// The client runs in a process of its own: hashing its list here would stall this process's polls, not the service.
const clientCsv = join(dir, 'customers.csv');
writeFileSync(clientCsv, `email\n${Array.from({ length: USERS }, (_, i) => `c${i}@example.com`).join('\n')}\n`);
const client = spawn(
  process.execPath,
  ['--import', TSX, MAIN, 'match', '--server', policy.url, '--input', clientCsv, '--column', 'email', '--type', 'email', '--json'],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
const match = new Promise<number | null>((resolve) => client.on('exit', (code) => resolve(code))).finally(() => (matched = true));
const policyPolls = await poll(policy.url, () => !matched);
const matchCode = await match;
console.log(
  `/healthz, policy, during a match of ${USERS} client items (match exit ${matchCode}, ${(performance.now() - t2).toFixed(0)} ms): ${stats(policyPolls)}`,
);
console.log(`service peak RSS: ${peakRss(policy.child.pid!)}`);
policy.child.kill('SIGTERM');
await policy.exited;
console.log(`load average after: ${load()}`);
rmSync(dir, { recursive: true, force: true });
