/**
 * The platform's store (issue 14): prepare once, then serve every advertiser from disk.
 *
 * - prepare: hashes and blinds N platform users into a store (a child process, for its own
 *   peak RSS): wall time, users/s, bytes on disk;
 * - sessions: a `blindjoin serve --store` child process; advertisers of 10^4 and 10^5 items
 *   match against it over HTTP (the client in this process): fresh (a key per session), and
 *   with a relationship key, first and then a refresh with 10% new items;
 * - 8 concurrent sessions: 8 clients each pull the whole stored set (every BLINDED frame, as a
 *   real client does before it answers) at once; the service's peak RSS over that phase
 *   (VmHWM after resetting it through /proc/PID/clear_refs).
 *
 *   npx tsx bench/store.ts                      # 10^5 stored users, sessions of 10^3 and 10^4
 *   npx tsx bench/store.ts --full               # 10^6 stored users, sessions of 10^4 and 10^5
 *   npx tsx bench/store.ts --users 1e7 --sessions 1e4,1e5
 *   npx tsx bench/store.ts --users 1e7 --no-sessions   # prepare and the 8 concurrent streams only
 *   npx tsx bench/store.ts --users 1e7 --synthetic     # see below
 *
 * `--synthetic` skips the blinding: it writes a store of N random elements (top bit clear,
 * as canonical x25519 u-coordinates) with its row map, manifest and key file, and a kept
 * relationship for the bench client's key made of random elements too (bench/store-synthetic.ts). The service never
 * decodes its own stored or kept elements, so its memory while streaming and the time of a
 * relationship refresh (the client's items blinded and re-blinded, the kept set joined from
 * disk) are those of a real store of that size; what it cannot give is matches against the
 * kept part (the refresh's released figure is for its new segments only) or a fresh session
 * (whose client would re-blind N elements).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Parties on worker threads, as in the Node entry and the service.
import '../src/pool/install.js';
import { PsiParty } from '../src/protocol/party.js';
import { prepareStore } from '../src/store/writer.js';
import { matchOverHttp } from '../src/transport/match-over-http.js';
import { splitFrames } from '../src/wire/frame.js';
import { benchMode, machineInfo, printTable, rssOf, serveStore, writeResults } from './lib/index.js';
import { benchUser as user, synthesizeStore } from './store-synthetic.js';

const load = () => Number(loadavg()[0]!.toFixed(2));

/** Child side of `--prepare DIR N`: prepares N users, prints one JSON line. */
async function prepareCase(dir: string, n: number): Promise<void> {
  const started = performance.now();
  const items = Array.from({ length: n }, (_, i) => user(i));
  const rows = items.map((value, i) => ({ line: i + 2, value }));
  const inputMs = performance.now() - started;
  const manifest = await prepareStore(dir, { items, rows }, { epoch: 'bench' });
  const cpu = process.cpuUsage();
  console.log(
    JSON.stringify({
      ms: performance.now() - started,
      inputMs,
      segments: manifest.segments.length,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

/** Child side of `--synthesize DIR N SEEDHEX`: a synthetic store and kept relationship (bench/store-synthetic.ts). */
async function synthesizeCase(dir: string, n: number, seedHex: string): Promise<void> {
  const started = performance.now();
  const { segments } = await synthesizeStore(dir, n, Buffer.from(seedHex, 'hex'));
  console.log(
    JSON.stringify({
      ms: performance.now() - started,
      inputMs: 0,
      segments,
      cpuMs: 0,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function du(dir: string): number {
  let bytes = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const s = statSync(join(dir, name));
    if (s.isFile()) bytes += s.size;
  }
  return bytes;
}

/** A client that opens a session and pulls every frame the service sends before its own answer, then aborts. */
async function pullAll(url: string, m: number): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const party = new PsiParty({
    role: 'initiator',
    items: Array.from({ length: m }, (_, j) => `other.${j}@example.org`),
    learn: 'released',
    peerLearns: 'intersection',
  });
  const [hello] = await party.step();
  let res = await fetch(`${url}/v1/sessions`, {
    method: 'POST',
    body: new Uint8Array(hello!),
    headers: { 'content-type': 'application/octet-stream' },
  });
  const id = res.headers.get('blindjoin-session')!;
  let bytes = 0;
  let seq = 0;
  for (;;) {
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const body = new Uint8Array(await res.arrayBuffer());
    bytes += body.length;
    seq += splitFrames(body).length;
    if (Number(res.headers.get('blindjoin-pending')) === 0) break;
    res = await fetch(`${url}/v1/sessions/${id}/frames?ack=${seq}`);
  }
  await fetch(`${url}/v1/sessions/${id}`, { method: 'DELETE' });
  await party.close();
  return { ms: performance.now() - started, bytes };
}

function argValue(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function main(): Promise<void> {
  const mode = benchMode();
  const machine = machineInfo();
  const n = Number(argValue('--users') ?? (mode === 'full' ? 1e6 : 1e5));
  const sessionSizes = (argValue('--sessions') ?? (mode === 'full' ? '1e4,1e5' : '1e3,1e4')).split(',').map(Number);
  const runSessions = !process.argv.includes('--no-sessions');
  const synthetic = process.argv.includes('--synthetic');
  const syntheticSeed = new Uint8Array(32).fill(42);
  console.log(
    `store benchmark (${mode}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}; ${n} stored users`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'bj-bench-store-'));
  const store = join(dir, 'store');
  const loadBefore = load();
  try {
    const make = synthetic
      ? ['--synthesize', store, String(n), Buffer.from(syntheticSeed).toString('hex')]
      : ['--prepare', store, String(n)];
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...make], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`prepare failed with status ${child.status}`);
    const p = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      ms: number;
      inputMs: number;
      segments: number;
      cpuMs: number;
      peakRssMiB: number;
    };
    const disk = du(store);
    const prepare = {
      users: n,
      ...(synthetic ? { synthetic: 'random elements, no blinding' } : {}),
      wallS: Number((p.ms / 1000).toFixed(1)),
      usersPerS: Math.round((n / p.ms) * 1000),
      coresUsed: Number((p.cpuMs / p.ms).toFixed(2)),
      segments: p.segments,
      diskMiB: Number((disk / 2 ** 20).toFixed(1)),
      diskBytesPerUser: Number((disk / n).toFixed(1)),
      peakRssMiB: Math.round(p.peakRssMiB),
      loadAverage1m: load(),
    };
    console.log('\nprepare:');
    printTable([prepare]);

    const { url, child: service, log } = await serveStore(store, join(dir, 'state'));
    const sessions: Record<string, number | string>[] = [];
    try {
      /** One advertiser session against the service, timed and recorded with the service's RSS and what it sent. */
      const session = async (m: number, kind: string, items: string[], keySeed?: Uint8Array) => {
        const loadAtStart = load();
        const started = performance.now();
        const result = await matchOverHttp({
          server: url,
          items,
          timeoutMs: 1_800_000,
          ...(keySeed === undefined ? {} : { relationship: { id: 'bench', keySeed } }),
        });
        const ms = performance.now() - started;
        const opened = log.filter((l) => l.includes(' started: ')).at(-1) ?? '';
        sessions.push({
          advertiserItems: m,
          kind,
          wallS: Number((ms / 1000).toFixed(1)),
          platformElementsSent: Number(/(\d+) elements sent/.exec(opened)?.[1] ?? n),
          released: result.released?.value ?? 'withheld',
          serviceRssMiB: rssOf(service.pid!).rssMiB,
          loadAverage1m: `${loadAtStart} -> ${load()}`,
        });
        printTable([sessions.at(-1)!]);
      };
      const served = log.find((l) => l.includes('serving store'));
      console.log(`\n${served}`);
      if (runSessions && synthetic) {
        for (const m of sessionSizes) {
          const items = Array.from({ length: m }, (_, j) => (j % 2 === 0 ? user((j * 7919) % n) : `other.${j}@example.org`));
          await session(m, 'relationship, refresh (synthetic kept set)', items, syntheticSeed);
        }
      }
      if (runSessions && !synthetic) {
        for (const m of sessionSizes) {
          // Half of the advertiser's items are platform users.
          const list = Array.from({ length: m }, (_, j) => (j % 2 === 0 ? user((j * 7919) % n) : `other.${j}@example.org`));
          const refreshed = [
            ...list.slice(0, m - m / 10),
            ...Array.from({ length: m / 10 }, (_, j) => (j % 2 === 0 ? user((j * 104_729 + 13) % n) : `new.${j}@example.org`)),
          ];
          const keySeed = new Uint8Array(32).fill(m % 251);
          const cases: [string, string[], boolean][] = [
            ['fresh', list, false],
            ['relationship, first', list, true],
            ['relationship, refresh (10% new items)', refreshed, true],
          ];
          for (const [kind, items, related] of cases) await session(m, kind, items, related ? keySeed : undefined);
        }
      }
      writeFileSync(`/proc/${service.pid}/clear_refs`, '5');
      const before = rssOf(service.pid!);
      const loadAtStart = load();
      const started = performance.now();
      const pulls = await Promise.all(Array.from({ length: 8 }, () => pullAll(url, 1000)));
      const concurrent = {
        sessions: 8,
        storedUsers: n,
        wallS: Number(((performance.now() - started) / 1000).toFixed(1)),
        streamedMiBEach: Number((pulls[0]!.bytes / 2 ** 20).toFixed(1)),
        serviceRssBeforeMiB: before.rssMiB,
        servicePeakRssMiB: rssOf(service.pid!).peakMiB,
        loadAverage1m: `${loadAtStart} -> ${load()}`,
      };
      console.log('\n8 concurrent sessions, each pulling the whole stored set:');
      printTable([concurrent]);
      const path = writeResults(`store${n >= 1e7 ? '-1e7' : ''}${synthetic ? '-synthetic' : ''}`, {
        mode,
        synthetic,
        storedUsers: n,
        library: 'TypeScript sources via tsx; service in a child process (serve --store), clients in the bench process',
        prepare,
        sessions,
        concurrent,
        loadAverage1m: { before: loadBefore, after: load() },
      });
      console.log(`\nwrote ${path}`);
    } finally {
      service.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--prepare');
const synth = process.argv.indexOf('--synthesize');
if (at !== -1) await prepareCase(process.argv[at + 1]!, Number(process.argv[at + 2]));
else if (synth !== -1) await synthesizeCase(process.argv[synth + 1]!, Number(process.argv[synth + 2]), process.argv[synth + 3]!);
else await main();
