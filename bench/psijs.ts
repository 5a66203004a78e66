/**
 * blindjoin side by side with @openmined/psi.js 2.0.6 (C++ to WASM, P-256, the most
 * used JavaScript PSI) on the same sets in the same run. Both sides: one party
 * learns the intersection, the other nothing; psi.js with its exact `Raw` setup.
 * psi.js is single-threaded, so blindjoin is shown on one core as well as on all, and
 * once more in a process whose blinding threads have not started yet (cold).
 * blindjoin runs the default x25519 suite (backend `'auto'`: sodium-native, hash in
 * WebAssembly) and with `--full` also ristretto255 (libsodium WASM), psi.js and the
 * suites taking turns per size so that the ratios come from the same run under the
 * same load.
 *
 * A ratio is only a result on a quiet machine: each repeat records the 1-minute load
 * average before it starts, and above 1.5 on 2 cores (0.75 per core) the row is
 * marked `valid: false`, "not a result: load X" is printed, no target is called met,
 * and the process exits with status 1 after writing the JSON.
 *
 *   npx tsx bench/install-peers.ts   # once: psi.js into bench/peers/
 *   npx tsx bench/psijs.ts           # 10^4 x 10^4, x25519, once (about 30 s of CPU)
 *   npx tsx bench/psijs.ts --full    # 10^3, 10^4, 10^5, both suites
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defaultWorkers, stopIdlePools } from '../src/pool/registry.js';
import { GROUP_NAMES, type GroupName } from '../src/group/suite.js';
import { PEERS_DIR } from './install-peers.js';
import { benchMode, machineInfo, notAResult, printTable, readLoad, timeMedian, writeResults } from './lib/index.js';
import { makeSets, runSession, type SessionRun } from './session.js';
import * as sources from '../src/node.js';

/** The slice of psi.js's API this benchmark uses (from its README). */
interface Message {
  serializeBinary(): Uint8Array;
}
interface PsiJs {
  server: {
    createWithNewKey(reveal: boolean): {
      createSetupMessage(fpr: number, n: number, items: string[], ds: unknown): Message;
      processRequest(req: unknown): Message;
    };
  };
  client: {
    createWithNewKey(reveal: boolean): {
      createRequest(items: string[]): Message;
      getIntersection(setup: unknown, resp: unknown): number[];
    };
  };
  request: { deserializeBinary(bytes: Uint8Array): unknown };
  response: { deserializeBinary(bytes: Uint8Array): unknown };
  serverSetup: { deserializeBinary(bytes: Uint8Array): unknown };
  dataStructure: { Raw: unknown };
}

async function loadPsiJs(): Promise<PsiJs | undefined> {
  try {
    const require = createRequire(join(PEERS_DIR, 'package.json'));
    const init = require('@openmined/psi.js') as () => Promise<PsiJs>;
    return await init();
  } catch {
    return undefined;
  }
}

/** CPU seconds of this process (every thread) spent in `fn`, and its result. */
async function cpuOf<T>(fn: () => T | Promise<T>): Promise<{ value: T; cpuS: number }> {
  const before = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(before);
  return { value, cpuS: (used.user + used.system) / 1e6 };
}

/** One psi.js session, client (set a) learns the intersection, with every message serialised as on a wire. */
function psiJsSession(psi: PsiJs, a: string[], b: string[]): SessionRun {
  const start = performance.now();
  const server = psi.server.createWithNewKey(true);
  const client = psi.client.createWithNewKey(true);
  const setup = server.createSetupMessage(0, a.length, b, psi.dataStructure.Raw).serializeBinary();
  const request = client.createRequest(a).serializeBinary();
  const response = server.processRequest(psi.request.deserializeBinary(request)).serializeBinary();
  const hits = client.getIntersection(psi.serverSetup.deserializeBinary(setup), psi.response.deserializeBinary(response));
  return { ms: performance.now() - start, wireBytes: setup.length + request.length + response.length, matches: hits.length };
}

async function main(): Promise<void> {
  const mode = benchMode();
  const machine = machineInfo();
  const workers = defaultWorkers();
  console.log(`blindjoin vs psi.js (${mode}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}`);
  const psi = await loadPsiJs();
  if (psi === undefined) {
    console.log(`@openmined/psi.js is not installed in ${PEERS_DIR}: run \`npx tsx bench/install-peers.ts\`. Skipping.`);
    return;
  }
  const sizes = mode === 'full' ? [1e3, 1e4, 1e5] : [1e4];
  const groups: readonly GroupName[] = mode === 'full' ? GROUP_NAMES : ['x25519'];
  const loadBefore = readLoad();
  // Warm psi.js's WASM once, as a process that uses it would; blindjoin's threads are warmed before each case.
  const warm = makeSets(100, 100, 50);
  psiJsSession(psi, warm.a, warm.b);

  const rows = [];
  const repeats = 1;
  for (const n of sizes) {
    for (let rep = 0; rep < repeats; rep++) {
      const { a, b } = makeSets(n, n, n / 2);
      const loadAtStart = readLoad();
      if (!loadAtStart.quiet) console.log(`${n} x ${n}: ${notAResult(loadAtStart)}`);
      const { value: theirs, cpuS: theirCpuS } = await cpuOf(() => psiJsSession(psi, a, b));
      const suites: Partial<Record<GroupName, { all: number; single: number; cold: number; wire: number; singleCpuS: number }>> = {};
      for (const group of groups) {
        // psi.js's session outlasts the pools' idle time (IDLE_MS): restart the threads outside the timing, as
        // its WASM was instantiated outside it; the cold case below times a session that starts them itself.
        await runSession(makeSets(1000, 1000, 500), undefined, sources, group);
        let ours: SessionRun = { ms: 0, wireBytes: 0, matches: 0 };
        const all = await timeMedian(async () => (ours = await runSession({ a, b }, undefined, sources, group)), {
          runs: mode === 'full' && n <= 1e4 ? 3 : 1,
          warmup: 0,
        });
        await runSession(makeSets(200, 200, 100), 1, sources, group);
        const { value: single, cpuS: singleCpuS } = await cpuOf(() => runSession({ a, b }, 1, sources, group));
        await stopIdlePools();
        const cold = await runSession({ a, b }, undefined, sources, group);
        if (ours.matches !== n / 2 || theirs.matches !== n / 2 || single.matches !== n / 2 || cold.matches !== n / 2) {
          throw new Error(
            `wrong intersection at n=${n} (${group}): blindjoin ${ours.matches}, psi.js ${theirs.matches}, expected ${n / 2}`,
          );
        }
        suites[group] = { all: all.medianMs, single: single.ms, cold: cold.ms, wire: ours.wireBytes, singleCpuS };
      }
      const s = (ms: number) => Number((ms / 1000).toFixed(2));
      const x = (ms: number) => Number((theirs.ms / ms).toFixed(1));
      const x25519 = suites.x25519!;
      const r255 = suites.ristretto255;
      rows.push({
        itemsPerSide: n,
        // A wall-clock ratio taken while a neighbour holds cores understates a 2-thread library: not a result.
        valid: loadAtStart.quiet,
        psiJsS: s(theirs.ms),
        x25519S: s(x25519.all),
        x25519Speedup: x(x25519.all),
        x25519OneCoreSpeedup: x(x25519.single),
        // The same session in a process whose blinding threads are not running yet: their start is timed.
        x25519ColdS: s(x25519.cold),
        x25519ColdSpeedup: x(x25519.cold),
        ...(r255 && {
          ristretto255S: s(r255.all),
          ristretto255Speedup: x(r255.all),
          ristretto255OneCoreSpeedup: x(r255.single),
          x25519OverRistretto255: Number((r255.all / x25519.all).toFixed(2)),
        }),
        // CPU seconds do not grow with other processes' load, unlike wall time: the load-independent per-core ratio.
        psiJsCpuS: Number(theirCpuS.toFixed(2)),
        x25519OneCoreCpuS: Number(x25519.singleCpuS.toFixed(2)),
        x25519CpuSpeedupPerCore: Number((theirCpuS / x25519.singleCpuS).toFixed(1)),
        ...(r255 && {
          ristretto255OneCoreCpuS: Number(r255.singleCpuS.toFixed(2)),
          ristretto255CpuSpeedupPerCore: Number((theirCpuS / r255.singleCpuS).toFixed(1)),
        }),
        psiJsWireMiB: Number((theirs.wireBytes / 2 ** 20).toFixed(2)),
        blindjoinWireMiB: Number((x25519.wire / 2 ** 20).toFixed(2)),
        loadAverage1m: loadAtStart.load,
      });
    }
  }
  await stopIdlePools();
  console.log(
    `blindjoin on ${workers} workers (and 1), backend auto per suite; psi.js Raw setup, reveal intersection; times include serialisation.\n`,
  );
  printTable(rows);
  const at1e4 = rows.filter((r) => r.itemsPerSide === 1e4);
  const valid1e4 = at1e4.filter((r) => r.valid);
  const targets = at1e4.length > 0 && {
    speedupAt1e4: {
      target: 25,
      group: 'x25519',
      measured: at1e4.map((r) => r.x25519Speedup),
      loadAverage1m: at1e4.map((r) => r.loadAverage1m),
      // Only repeats on a quiet machine count; none means no verdict.
      met: valid1e4.length === 0 ? 'not a result' : valid1e4.every((r) => r.x25519Speedup >= 25),
    },
  };
  if (targets)
    console.log(
      `\n10^4 x 10^4: x25519 ${at1e4.map((r) => `${r.x25519Speedup}x${r.valid ? '' : ` (not a result: load ${r.loadAverage1m})`}`).join(', ')} psi.js on ${workers} cores (target 25x); per-core CPU ratio ${at1e4.map((r) => r.x25519CpuSpeedupPerCore).join(', ')}x`,
    );
  const path = writeResults('psijs', {
    mode,
    workers,
    peer: '@openmined/psi.js 2.0.6, Raw data structure, reveal intersection, single-threaded WASM',
    blindjoin:
      'runLocal, initiator learns intersection, responder none, backend auto per suite (x25519: sodium-native, hash in WebAssembly; ristretto255: libsodium WASM)',
    loadAverage1m: { before: loadBefore.load, after: readLoad().load },
    quietLoadAtMost: loadBefore.cores * 0.75,
    rows,
    targets,
  });
  console.log(`\nwrote ${path}`);
  if (rows.some((r) => !r.valid)) {
    console.log('some ratios were measured on a busy machine: not a result (rerun with the machine quiet)');
    process.exitCode = 1;
  }
}

await main();
