/**
 * The join: `intersectPacked` against the `Set<string>` join a user would write, on
 * random 32-byte tokens with 50% overlap, n tokens per side.
 *
 *   npx tsx bench/join.ts           # 10^4, 10^5, 10^6
 *   npx tsx bench/join.ts --full    # and 10^7 (needs ~3 GB of RAM)
 */
import { randomFillSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { intersectPacked } from '../src/join/index.js';
import { benchMode, machineInfo, printTable, timeMedian, writeResults } from './lib/index.js';

const WIDTH = 32;

/** a and b of n random tokens each; b holds a[0], a[2], a[4], ... at shuffled places. */
function makeInputs(n: number): { a: Uint8Array; b: Uint8Array } {
  const a = randomFillSync(new Uint8Array(n * WIDTH));
  const b = randomFillSync(new Uint8Array(n * WIDTH));
  const places = new Uint32Array(n);
  for (let i = 0; i < n; i++) places[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [places[i], places[j]] = [places[j]!, places[i]!];
  }
  for (let k = 0; 2 * k < n; k++) b.set(a.subarray(2 * k * WIDTH, (2 * k + 1) * WIDTH), places[k]! * WIDTH);
  return { a, b };
}

/** The baseline: one string per token (conversion included), a Set of b, a filter over a. */
function setJoin(a: Uint8Array, b: Uint8Array, encoding: 'hex' | 'latin1'): Uint32Array {
  const ba = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const bb = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const seen = new Set<string>();
  for (let j = 0; j < bb.length; j += WIDTH) seen.add(bb.toString(encoding, j, j + WIDTH));
  const hits: number[] = [];
  for (let i = 0; i * WIDTH < ba.length; i++) {
    if (seen.has(ba.toString(encoding, i * WIDTH, (i + 1) * WIDTH))) hits.push(i);
  }
  return Uint32Array.from(hits);
}

function same(x: Uint32Array, y: Uint32Array): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

async function main(): Promise<void> {
  const mode = benchMode();
  const sizes = mode === 'full' ? [1e4, 1e5, 1e6, 1e7] : [1e4, 1e5, 1e6];
  const machine = machineInfo();
  // Other jobs on a shared machine slow the memory-bound join most; record how busy it was.
  const loadBefore = loadavg()[0]!;
  console.log(`join benchmark (${mode}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}`);
  console.log('M tokens/s counts the tokens of both inputs (n + n); times are medians.\n');
  const rows = [];
  for (const n of sizes) {
    const { a, b } = makeInputs(n);
    const big = n >= 1e7;
    let ours: Uint32Array = new Uint32Array(0);
    let hex: Uint32Array = new Uint32Array(0);
    let latin1: Uint32Array = new Uint32Array(0);
    const join = await timeMedian(() => (ours = intersectPacked(a, b)), { runs: big ? 3 : 7, minMs: 300 });
    // The Set join takes seconds from 10^6 on and varies little: three runs are enough.
    const setTiming = { runs: n >= 1e6 ? 3 : 5, warmup: big ? 0 : 1, minMs: 300 };
    const setHex = await timeMedian(() => (hex = setJoin(a, b, 'hex')), setTiming);
    const setLatin1 = await timeMedian(() => (latin1 = setJoin(a, b, 'latin1')), setTiming);
    const identical = same(ours, hex) && same(ours, latin1) && ours.length === Math.ceil(n / 2);
    if (!identical) throw new Error(`results differ at n=${n}`);
    const baseline = Math.min(setHex.medianMs, setLatin1.medianMs);
    rows.push({
      tokensPerSide: n,
      matches: ours.length,
      joinMs: round(join.medianMs, 2),
      setHexMs: round(setHex.medianMs, 1),
      setLatin1Ms: round(setLatin1.medianMs, 1),
      joinMTokensPerS: round((2 * n) / join.medianMs / 1e3, 1),
      setLatin1MTokensPerS: round((2 * n) / setLatin1.medianMs / 1e3, 2),
      speedupVsBestSet: round(baseline / join.medianMs, 1),
      identical,
      joinRunsMs: join.runsMs.map((t) => round(t, 2)),
    });
  }
  printTable(rows.map(({ joinRunsMs: _, ...row }) => row));
  const at1e6 = rows.find((r) => r.tokensPerSide === 1e6);
  const targets = at1e6 && {
    speedupAt1e6: { target: 15, measured: at1e6.speedupVsBestSet, met: at1e6.speedupVsBestSet >= 15 },
    mTokensPerSAt1e6: { target: 25, measured: at1e6.joinMTokensPerS, met: at1e6.joinMTokensPerS >= 25 },
  };
  if (targets) {
    console.log(
      `\n10^6 x 10^6: ${targets.speedupAt1e6.measured}x the faster Set<string> join (target 15x), ` +
        `${targets.mTokensPerSAt1e6.measured} M tokens/s (target 25)`,
    );
  }
  const path = writeResults('join', {
    mode,
    width: WIDTH,
    overlap: 0.5,
    tokensPerSecond: 'tokens of both inputs (2n) per second of the median run',
    baseline: 'Set<string> of b as hex or latin1 strings, then a filter over a; conversion included',
    rows,
    targets,
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
  });
  console.log(`\nwrote ${path}`);
}

await main();
