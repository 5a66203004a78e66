/**
 * A relationship refresh against a prepared store: a client of M items re-matching with
 * its relationship key, the platform's segments all kept re-blinded by its first session.
 *
 * - the store: prepared (`bench/store.ts --prepare`: N users hashed and blinded) or, with
 *   `--synthetic`, written of random elements with a synthetic kept relationship
 *   (bench/store-synthetic.ts: no matches in the kept part, no first session);
 * - sessions over HTTP against `blindjoin serve --store` in a child process: the first
 *   session of M items with the relationship (the client re-blinds all N; its commit sorts
 *   the kept set), then the refresh with 10% new items (nothing of the platform sent), with
 *   the service's peak RSS over the refresh (VmHWM reset through /proc/PID/clear_refs); one
 *   BlindedCache across both, so the refresh blinds only its new items (`clientCacheHits`),
 *   and the service re-blinds only the elements its first session did not see
 *   (`serviceMemoHits`, the relationship's memo);
 * - the join step alone, side by side in this process on the kept set the sessions left:
 *   the sorted join (`joinSortedKept`: the client's M distinct elements, 10% of them planted
 *   from the kept set, galloped over its index, only their blocks read and checked) against
 *   the table join the refresh did before (every kept element read, its SHA-256 checked
 *   per segment, and looked up in a table of the client's elements), and the cost of a
 *   first session's commit (each segment sorted, then merged into the kept set).
 *
 *   npx tsx bench/refresh.ts                           # 10^6 stored users, a client of 10^5
 *   npx tsx bench/refresh.ts --full                    # 10^7 stored users
 *   npx tsx bench/refresh.ts --users 1e5 --items 1e4   # a smoke run
 *   npx tsx bench/refresh.ts --full --store /var/tmp/bj-1e7   # prepare there once, reuse after
 *   npx tsx bench/refresh.ts --full --synthetic        # minutes less: no blinding, no first session
 *   npx tsx bench/refresh.ts --full --dist             # service and client from the build (`npm run build` first)
 *
 * Results in bench/results/refresh.json; a case measured above load 1.5 on 2 cores is
 * marked "not a result".
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byteOrder } from '../src/join/byte-order.js';
import { StreamingJoin } from '../src/protocol/streaming-join.js';
import { joinSortedKept } from '../src/store/kept-join.js';
import { KEPT_RECORD_BYTES, sortedRun, writeSortedKept, type SortedKept, type SortedKeptFiles } from '../src/store/sorted-kept.js';
import { DEFAULT_SEGMENT_ITEMS } from '../src/store/writer.js';
import * as sourceClient from '../src/client.js';
import * as sourceRoot from '../src/node.js';
import type { BlindedCache } from '../src/node.js';
import {
  benchMode,
  machineInfo,
  notAResult,
  printTable,
  readLoad,
  rssOf,
  serveStore,
  settleLoad,
  timeMedian,
  writeResults,
} from './lib/index.js';
import { benchUser as user, relationshipDir } from './store-synthetic.js';

const STORE_BENCH = fileURLToPath(new URL('./store.ts', import.meta.url));
const EPOCH = 'bench';

function argValue(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** The load once it settled (the previous case's echo, at most 2 minutes), and the line to print when it is too high for a result. */
async function loadGate(): Promise<{ load: number; result: boolean }> {
  const reading = await settleLoad(120);
  if (!reading.quiet) console.log(notAResult(reading));
  return { load: reading.load, result: reading.quiet };
}

/** Prepares (or synthesises) N users into `store` with bench/store.ts's child side; its wall time and peak RSS. */
function makeStore(store: string, n: number, seed: Uint8Array | undefined): Record<string, number> {
  const make = seed === undefined ? ['--prepare', store, String(n)] : ['--synthesize', store, String(n), Buffer.from(seed).toString('hex')];
  const child = spawnSync(process.execPath, [...process.execArgv, STORE_BENCH, ...make], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`making the store failed with status ${child.status}`);
  const p = JSON.parse(child.stdout.trim().split('\n').pop()!) as { ms: number; peakRssMiB: number };
  return { wallS: Number((p.ms / 1000).toFixed(1)), peakRssMiB: Math.round(p.peakRssMiB) };
}

/** The relationship's kept set as its state names it. */
function keptSetOf(store: string): { files: SortedKeptFiles; kept: SortedKept } {
  const dir = relationshipDir(store, EPOCH, 'bench');
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { sorted: SortedKept & { tag: string } };
  const { tag, records, index } = state.sorted;
  return { files: { data: join(dir, `kept-${tag}.sorted`), index: join(dir, `kept-${tag}.index`) }, kept: { records, index } };
}

/** M distinct client elements in ascending order: 10% read from random records of the kept set, the rest random. */
async function clientElements(files: SortedKeptFiles, kept: SortedKept, m: number): Promise<Uint8Array> {
  const out = randomFillSync(new Uint8Array(m * 32));
  const file = await open(files.data, 'r');
  try {
    for (let i = 0; i < m; i += 10) {
      const r = Math.floor(Math.random() * kept.records);
      await file.read(out, i * 32, 32, r * KEPT_RECORD_BYTES);
    }
  } finally {
    await file.close();
  }
  const order = byteOrder(out, 32);
  const sorted = new Uint8Array(out.length);
  let count = 0;
  for (let r = 0; r < order.length; r++) {
    const at = order[r]! * 32;
    if (count > 0 && Buffer.compare(out.subarray(at, at + 32), sorted.subarray((count - 1) * 32, count * 32)) === 0) continue;
    sorted.set(out.subarray(at, at + 32), count++ * 32);
  }
  return sorted.slice(0, count * 32);
}

/** The refresh's join as it was: every kept element read, checked per segment and looked up in a table of the client's. */
async function tableJoin(files: SortedKeptFiles, kept: SortedKept, client: Uint8Array): Promise<number> {
  const join = new StreamingJoin(client);
  const file = await open(files.data, 'r');
  const records = new Uint8Array(DEFAULT_SEGMENT_ITEMS * KEPT_RECORD_BYTES);
  try {
    for (let at = 0; at < kept.records; at += DEFAULT_SEGMENT_ITEMS) {
      const n = Math.min(DEFAULT_SEGMENT_ITEMS, kept.records - at);
      await file.read(records, 0, n * KEPT_RECORD_BYTES, at * KEPT_RECORD_BYTES);
      const elements = new Uint8Array(n * 32);
      for (let r = 0; r < n; r++) elements.set(records.subarray(r * KEPT_RECORD_BYTES, r * KEPT_RECORD_BYTES + 32), r * 32);
      createHash('sha256').update(elements).digest();
      join.add(elements);
    }
  } finally {
    await file.close();
  }
  return join.positions().length;
}

/** A first session's commit: each segment of the kept set sorted into a run, then all merged into a new kept set. */
async function commitOf(files: SortedKeptFiles, kept: SortedKept, dir: string): Promise<void> {
  const file = await open(files.data, 'r');
  const runs: string[] = [];
  try {
    const records = new Uint8Array(DEFAULT_SEGMENT_ITEMS * KEPT_RECORD_BYTES);
    for (let at = 0, s = 0; at < kept.records; at += DEFAULT_SEGMENT_ITEMS, s++) {
      const n = Math.min(DEFAULT_SEGMENT_ITEMS, kept.records - at);
      await file.read(records, 0, n * KEPT_RECORD_BYTES, at * KEPT_RECORD_BYTES);
      const elements = new Uint8Array(n * 32);
      for (let r = 0; r < n; r++) elements.set(records.subarray(r * KEPT_RECORD_BYTES, r * KEPT_RECORD_BYTES + 32), r * 32);
      runs.push(join(dir, `run-${s}`));
      writeFileSync(runs.at(-1)!, sortedRun(elements, s));
    }
    await writeSortedKept(
      { data: join(dir, 'commit.sorted'), index: join(dir, 'commit.index') },
      runs.map((path) => ({ path, keep: () => true })),
    );
  } finally {
    await file.close();
    for (const path of [...runs, join(dir, 'commit.sorted'), join(dir, 'commit.index')]) rmSync(path, { force: true });
  }
}

/**
 * With a synthetic store there is no first session: the client's cache is filled as one
 * would fill it, by a local session of the list under the relationship key (x25519, the
 * synthetic store's group) against an empty peer.
 */
async function warmCache(lib: Library, blindedCache: BlindedCache, items: string[], keySeed: Uint8Array): Promise<void> {
  const { createParty, runLocal } = lib;
  const common = { group: 'x25519', learn: 'none', peerLearns: 'size' } as const;
  const initiator = createParty({ ...common, role: 'initiator', items, keySeed, blindedCache });
  await runLocal(initiator, createParty({ ...common, role: 'responder', items: [], learn: 'size', peerLearns: 'none' }));
  console.log(`client cache filled locally with ${blindedCache.size} blinded items (no first session)`);
}

/** What the client side of the sessions uses: the sources, or with `--dist` the build (its worker threads skip the TypeScript loader). */
type Library = Pick<typeof sourceRoot, 'BlindedCache' | 'createParty' | 'runLocal'> & Pick<typeof sourceClient, 'matchOverHttp'>;

async function loadLibrary(dist: boolean): Promise<Library> {
  if (!dist) return { ...sourceRoot, ...sourceClient };
  // Computed specifiers: type-checking must not require a build.
  const root = (await import(new URL('../dist/node.js', import.meta.url).href)) as typeof sourceRoot;
  const client = (await import(new URL('../dist/client.js', import.meta.url).href)) as typeof sourceClient;
  return { ...root, ...client };
}

async function main(): Promise<void> {
  const mode = benchMode();
  const dist = process.argv.includes('--dist');
  const lib = await loadLibrary(dist);
  const machine = machineInfo();
  const n = Number(argValue('--users') ?? (mode === 'full' ? 1e7 : 1e6));
  const m = Number(argValue('--items') ?? 1e5);
  const synthetic = process.argv.includes('--synthetic');
  const given = argValue('--store');
  const seed = new Uint8Array(32).fill(42);
  console.log(`refresh benchmark (${mode}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}`);
  console.log(`${n} stored users, a client of ${m} items${synthetic ? ', synthetic store and kept set' : ''}`);
  const work = mkdtempSync(join(tmpdir(), 'bj-bench-refresh-'));
  const store = given ?? join(work, 'store');
  try {
    const reused = existsSync(join(store, 'current'));
    const made = reused ? { reused: 1 } : makeStore(store, n, synthetic ? seed : undefined);
    console.log(reused ? `reusing the store in ${store}` : `store made in ${made.wallS} s (peak RSS ${made.peakRssMiB} MiB)`);
    // A real store's relationship starts afresh each run, so that the first session is one.
    if (!synthetic) rmSync(relationshipDir(store, EPOCH, 'bench'), { recursive: true, force: true });
    const { url, child: service, log } = await serveStore(store, join(work, 'state'), dist);
    const sessions: Record<string, number | string | boolean>[] = [];
    // One cache for the relationship: the first session fills it, the refresh blinds only its new items.
    const blindedCache = new lib.BlindedCache();
    try {
      const session = async (kind: string, items: string[]) => {
        const gate = await loadGate();
        writeFileSync(`/proc/${service.pid}/clear_refs`, '5');
        const hitsBefore = blindedCache.hits;
        const started = performance.now();
        const result = await lib.matchOverHttp({
          server: url,
          items,
          timeoutMs: 3_600_000,
          relationship: { id: 'bench', keySeed: seed, blindedCache },
        });
        const ms = performance.now() - started;
        const opened = log.filter((l) => l.includes(' started: ')).at(-1) ?? '';
        // The session's line once its result is written (the client's read-back waited for it).
        const done = log.filter((l) => l.includes(' done: ')).at(-1) ?? '';
        sessions.push({
          kind,
          clientItems: items.length,
          storedUsers: n,
          wallS: Number((ms / 1000).toFixed(2)),
          platformElementsSent: Number(/(\d+) elements sent/.exec(opened)?.[1] ?? NaN),
          kept: Number(/(\d+) kept/.exec(opened)?.[1] ?? NaN),
          clientCacheHits: blindedCache.hits - hitsBefore,
          serviceMemoHits: Number(/(\d+) client elements re-blinded by an earlier session/.exec(done)?.[1] ?? NaN),
          released: result.released?.value ?? 'withheld',
          servicePeakRssMiB: rssOf(service.pid!).peakMiB,
          loadAverage1m: `${gate.load} -> ${readLoad().load}`,
          result: gate.result,
        });
        printTable([sessions.at(-1)!]);
      };
      // Half of the client's items are platform users; the refresh replaces a tenth of them.
      const list = Array.from({ length: m }, (_, j) => (j % 2 === 0 ? user((j * 7919) % n) : `other.${j}@example.org`));
      const refreshed = [
        ...list.slice(0, m - m / 10),
        ...Array.from({ length: m / 10 }, (_, j) => (j % 2 === 0 ? user((j * 104_729 + 13) % n) : `new.${j}@example.org`)),
      ];
      if (synthetic) await warmCache(lib, blindedCache, list, seed);
      else await session('relationship, first session (the baseline)', list);
      await session('relationship, refresh (10% new items)', refreshed);
    } finally {
      service.kill('SIGTERM');
    }

    const { files, kept } = keptSetOf(store);
    const client = await clientElements(files, kept, m);
    const step = async (name: string, fn: () => Promise<unknown>, runs: number) => {
      const gate = await loadGate();
      const timing = await timeMedian(fn, { runs, warmup: 1 });
      return { step: name, medianS: Number((timing.medianMs / 1000).toFixed(3)), runs, loadAverage1m: gate.load, result: gate.result };
    };
    let sortedMatches = 0;
    let tableMatches = 0;
    const steps = [
      await step(
        'sorted join (this version)',
        async () => (sortedMatches = (await joinSortedKept(files, kept, client, () => true)).length),
        5,
      ),
      await step('table join over every kept element (before)', async () => (tableMatches = await tableJoin(files, kept, client)), 3),
      await step("a first session's commit: sort and merge the kept set", () => commitOf(files, kept, work), 1),
    ];
    if (sortedMatches !== tableMatches) throw new Error(`the joins disagree: ${sortedMatches} against ${tableMatches} matches`);
    console.log(
      `\nthe join step alone, ${client.length / 32} distinct client elements against ${kept.records} kept (${sortedMatches} planted matches):`,
    );
    printTable(steps);
    const path = writeResults('refresh', {
      mode,
      synthetic,
      dist,
      storedUsers: n,
      clientItems: m,
      library: `${dist ? 'the build (dist/)' : 'TypeScript sources via tsx'}; service in a child process (serve --store), client and join steps in the bench process`,
      ...(reused ? {} : { store: made }),
      sessions,
      joinStep: { clientElements: client.length / 32, kept: kept.records, matches: sortedMatches, steps },
    });
    console.log(`\nwrote ${path}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
