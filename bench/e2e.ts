/**
 * End-to-end `runLocal` sessions, both parties in one process on every core: wall
 * time, items/s, bytes on the wire (sum of frame lengths) and peak RSS. Each case
 * runs in a fresh child process so that its peak RSS is its own; the worker threads
 * are started and warmed by a small session first, as in a running service.
 *
 * Every case runs for each group suite (`--group x25519` or `--group ristretto255`
 * restricts it), backend `'auto'` (x25519: sodium-native; ristretto255: libsodium WASM).
 * Each case records the 1-minute load average before it starts; above 0.75 per core
 * (1.5 on 2 cores) its wall time is "not a result", the row says `valid: false`, no
 * target is called met, and a run that includes the 10^6 x 10^6 target exits with
 * status 1 after writing the JSON.
 *
 *   npx tsx bench/e2e.ts          # balanced 10^3 and 10^4, both suites
 *   npx tsx bench/e2e.ts --full   # and 10^5 x 10^5, 10^4 x 10^6, 10^6 x 10^6
 *   npx tsx bench/e2e.ts --big --group x25519   # only 10^6 x 10^6, to bench/results/e2e-1e6.json
 *   npm run build && npx tsx bench/e2e.ts --dist   # the built package, as users run it
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultWorkers } from '../src/pool/registry.js';
import { GROUP_NAMES, type GroupName } from '../src/group/suite.js';
import { benchMode, machineInfo, notAResult, printTable, readLoad, writeResults } from './lib/index.js';
import { loadLibrary, makeSets, runSession } from './session.js';

/** What a child reports for one case. */
interface CaseResult {
  group: GroupName;
  n: number;
  m: number;
  runsMs: number[];
  wireBytes: number;
  matches: number;
  cpuMs: number;
  peakRssMiB: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Child side: warm up, run the case `runs` times, print one JSON line. */
async function runCase(group: GroupName, n: number, m: number, runs: number, dist: boolean): Promise<void> {
  const lib = await loadLibrary(dist);
  await runSession(makeSets(1000, 1000, 500), undefined, lib, group);
  const sets = makeSets(n, m, Math.min(n, m) / 2);
  const runsMs: number[] = [];
  let last = { ms: 0, wireBytes: 0, matches: 0 };
  const cpu = process.cpuUsage();
  for (let r = 0; r < runs; r++) {
    last = await runSession(sets, undefined, lib, group);
    runsMs.push(last.ms);
  }
  const used = process.cpuUsage(cpu);
  const result: CaseResult = {
    group,
    n,
    m,
    runsMs,
    wireBytes: last.wireBytes,
    matches: last.matches,
    cpuMs: (used.user + used.system) / 1000 / runs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(result));
}

function spawnCase(group: GroupName, n: number, m: number, runs: number, dist: boolean): CaseResult {
  const args = [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    '--case',
    group,
    String(n),
    String(m),
    String(runs),
    ...(dist ? ['--dist'] : []),
  ];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`case ${group} ${n} x ${m} failed with status ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as CaseResult;
}

async function main(): Promise<void> {
  const mode = benchMode();
  const machine = machineInfo();
  const workers = defaultWorkers();
  const dist = process.argv.includes('--dist');
  const big = process.argv.includes('--big');
  const at = process.argv.indexOf('--group');
  const groups: readonly GroupName[] = at === -1 ? GROUP_NAMES : [process.argv[at + 1] as GroupName];
  const library = dist ? 'dist/ (npm run build)' : 'TypeScript sources via tsx';
  console.log(
    `end-to-end benchmark (${mode}): ${machine.cpu}, ${machine.cores} cores (${workers} workers), node ${machine.node}, ${machine.commit}`,
  );
  console.log(`library under test: ${library}`);
  console.log('runLocal: initiator learns the intersection, responder learns nothing; half the smaller set matches.\n');
  const cases: [number, number][] = big
    ? [[1e6, 1e6]]
    : [
        [1e3, 1e3],
        [1e4, 1e4],
        ...(mode === 'full'
          ? ([
              [1e5, 1e5],
              [1e4, 1e6],
              [1e6, 1e6],
            ] as [number, number][])
          : []),
      ];
  const loadBefore = readLoad();
  const rows = [];
  // Suites alternate within each size, so that both see the same background load.
  for (const [n, m] of cases)
    for (const group of groups) {
      const runs = n + m <= 2e3 ? 3 : 1;
      const loadAtStart = readLoad();
      const r = spawnCase(group, n, m, runs, dist);
      const ms = median(r.runsMs);
      const row = {
        group,
        initiatorItems: n,
        responderItems: m,
        wallS: Number((ms / 1000).toFixed(ms < 10_000 ? 3 : 1)),
        itemsPerS: Math.round(((n + m) / ms) * 1000),
        coresUsed: Number((r.cpuMs / ms).toFixed(2)),
        wireMiB: Number((r.wireBytes / 2 ** 20).toFixed(2)),
        wireBytesPerItem: Number((r.wireBytes / (n + m)).toFixed(1)),
        peakRssMiB: Math.round(r.peakRssMiB),
        matches: r.matches,
        loadAtStart: loadAtStart.load,
      };
      rows.push({
        ...row,
        valid: loadAtStart.quiet,
        cpuS: Number((r.cpuMs / 1000).toFixed(2)),
        runsMs: r.runsMs.map((t) => Math.round(t)),
        loadAverage1m: { start: loadAtStart.load, end: readLoad().load },
      });
      printTable([row]);
      if (!loadAtStart.quiet) console.log(`wall time ${notAResult(loadAtStart)}; CPU ${(r.cpuMs / 1000).toFixed(1)} s`);
      console.log('');
    }
  const table = rows.map(({ runsMs: _, loadAverage1m: __, valid: ___, cpuS: ____, ...row }) => row);
  console.log('all cases:');
  printTable(table);
  const million =
    rows.find((r) => r.initiatorItems === 1e6 && r.responderItems === 1e6 && r.group === 'x25519') ??
    rows.find((r) => r.initiatorItems === 1e6 && r.responderItems === 1e6);
  const targets = million && {
    group: million.group,
    loadAtStart: million.loadAtStart,
    balanced1e6WallS: { target: 110, measured: million.wallS, met: million.valid ? million.wallS < 110 : 'not a result' },
    balanced1e6PeakRssMiB: { target: 1024, measured: million.peakRssMiB, met: million.peakRssMiB < 1024 },
  };
  if (targets) {
    console.log(
      `\n10^6 x 10^6 (${million.group}): ${million.wallS} s (target < 110 s${million.valid ? '' : `; not a result: load ${million.loadAtStart}`}), peak RSS ${million.peakRssMiB} MiB (target < 1024 MiB)`,
    );
  }
  const path = writeResults(big ? 'e2e-1e6' : 'e2e', {
    mode: big ? 'big' : mode,
    workers,
    groups,
    backend: 'auto (x25519: sodium-native; ristretto255: libsodium WASM)',
    library,
    reveal: 'initiator learns intersection, responder none',
    wire: 'sum of the lengths of every frame both parties sent',
    peakRss: 'maxRSS of a fresh process running the case (items, threads and warm-up included)',
    loadAverage1m: { before: loadBefore.load, after: readLoad().load },
    quietLoadAtMost: loadBefore.cores * 0.75,
    rows,
    targets,
  });
  console.log(`\nwrote ${path}`);
  if (rows.some((r) => !r.valid))
    console.log('some wall times were measured on a busy machine: not a result (CPU seconds are in the JSON)');
  if (million !== undefined && !million.valid) process.exitCode = 1; // the 10^6 target cannot be judged
}

const at = process.argv.indexOf('--case');
if (at !== -1) {
  const group = process.argv[at + 1] as GroupName;
  const [n, m, runs] = process.argv.slice(at + 2, at + 5).map(Number);
  await runCase(group, n!, m!, runs!, process.argv.includes('--dist'));
} else {
  await main();
}
