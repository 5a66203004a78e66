/**
 * Group primitives of both suites and every backend, side by side in one run on one
 * core: hash to group (expand_message_xmd + map), the map alone, multiplication of
 * peer elements, fused blinding, and what they imply per item of a session (one hash
 * and two multiplications). Medians of short runs; wall-clock ops/s and ops per CPU
 * second (WebCrypto in Node runs on libuv's threads, so its wall figure can use more
 * than one core). Also the cost of an RFC 9380-compatible hash in JS, to justify the
 * libsodium-style construction (docs/x25519.md).
 *
 *   npx tsx bench/primitives-suites.ts          # quick, about a minute
 *   npx tsx bench/primitives-suites.ts --full   # more items per run
 */
import { ed25519, ed25519_hasher } from '@noble/curves/ed25519.js';
import { loadavg } from 'node:os';
import { expandMessages, loadRistretto255Backend, ristretto255NobleBackend, randomScalar } from '../src/group/index.js';
import { loadX25519Backend, randomX25519Key, type AnyX25519Backend } from '../src/group/x25519/index.js';
import { HASH_TO_GROUP_DST, X25519_HASH_DST } from '../src/protocol/version.js';
import { benchMode, machineInfo, printTable, writeResults } from './lib/index.js';

const mode = benchMode();
const full = mode === 'full';
const RUNS = full ? 7 : 5;
/** Items per measured run, so that each run lasts roughly 100-300 ms on this machine. */
const ITEMS: Record<string, number> = {
  noble: full ? 400 : 100,
  sodium: full ? 4000 : 1500,
  'sodium-native': full ? 8000 : 3000,
  webcrypto: full ? 4000 : 1500,
};

const utf8 = new TextEncoder();
const identifiers = (n: number) => Array.from({ length: n }, (_, i) => utf8.encode(`user.${i}@example.com`));

interface Rate {
  /** Operations per wall-clock second, median run. */
  wall: number;
  /** Operations per CPU second of the process (all threads), median run. */
  cpu: number;
}

/** Medians of `fn` (n operations per call) over RUNS runs after one warm-up. */
async function rate(n: number, fn: () => unknown): Promise<Rate> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wall.push((n / ms) * 1000);
    cpu.push((n / ((c.user + c.system) / 1000)) * 1000);
  }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[xs.length >> 1]!);
  return { wall: median(wall), cpu: median(cpu) };
}

/** The four operations of one backend; `a` awaits whether the backend is sync or not. */
async function measure(
  suite: string,
  name: string,
  backend: Pick<AnyX25519Backend, 'fromUniform' | 'multiply' | 'blindUniform'>,
  dst: string,
  key: Uint8Array,
) {
  const n = ITEMS[name]!;
  const items = identifiers(n);
  const uniform = expandMessages(items, dst);
  const elements = await backend.fromUniform(uniform);
  const hash = await rate(n, () => backend.fromUniform(expandMessages(items, dst)));
  const map = await rate(n, () => backend.fromUniform(uniform));
  const multiply = await rate(n, () => backend.multiply(elements, key));
  const blind = await rate(n, () => backend.blindUniform(uniform, key));
  // A party hashes each own item once and multiplies twice per item pair (blind own, reblind peer's).
  const perItem = Math.round(1 / (1 / hash.cpu + 2 / multiply.cpu));
  return { suite, backend: name, hash, map, multiply, blind, itemsPerCpuSecond: perItem };
}

/** The RFC 9380-compatible alternative: its map needs a square root per map in JS. */
async function rfc9380Costs() {
  const n = full ? 400 : 100;
  const items = identifiers(n);
  const Fp = ed25519.Point.Fp;
  const squares = Array.from({ length: n }, (_, i) => Fp.sqr(BigInt(i) * 0x1234567890abcdefn + 3n));
  return {
    nobleHashToCurveEdwards25519: await rate(n, () => items.forEach((m) => ed25519_hasher.hashToCurve(m, { DST: X25519_HASH_DST }))),
    fieldSqrtInJs: await rate(n, () => squares.forEach((s) => Fp.sqrt(s))),
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(`primitives per suite (${mode}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}`);
  const loadBefore = loadavg();
  const results = [];
  const r255Key = randomScalar();
  results.push(await measure('ristretto255', 'noble', ristretto255NobleBackend, HASH_TO_GROUP_DST, r255Key));
  results.push(await measure('ristretto255', 'sodium', await loadRistretto255Backend('sodium'), HASH_TO_GROUP_DST, r255Key));
  const xKey = randomX25519Key();
  for (const name of ['noble', 'sodium', 'sodium-native', 'webcrypto'] as const) {
    results.push(await measure('x25519', name, await loadX25519Backend(name), X25519_HASH_DST, xKey));
  }
  const rfc9380 = await rfc9380Costs();
  const loadAfter = loadavg();

  const rows = results.map((r) => ({
    suite: r.suite,
    backend: r.backend,
    hashToGroup: r.hash.cpu,
    map: r.map.cpu,
    multiply: r.multiply.cpu,
    blind: r.blind.cpu,
    multiplyWall: r.multiply.wall,
    itemsPerCpuS: r.itemsPerCpuSecond,
  }));
  console.log('ops per CPU second, medians of runs on one thread (multiplyWall: per wall-clock second; WebCrypto uses libuv threads).\n');
  printTable(rows);
  const base = results.find((r) => r.suite === 'ristretto255' && r.backend === 'sodium')!.multiply.cpu;
  const native = results.find((r) => r.backend === 'sodium-native')!;
  const ratios = {
    x25519NativeMultiplyOverRistrettoWasm: Number((native.multiply.cpu / base).toFixed(2)),
    x25519NativeHashOverMultiply: Number((native.hash.cpu / native.multiply.cpu).toFixed(2)),
    x25519NativeItemsOverRistrettoWasmItems: Number((native.itemsPerCpuSecond / results[1]!.itemsPerCpuSecond).toFixed(2)),
  };
  console.log('');
  printTable([{ ...ratios }]);
  console.log(
    `\nRFC 9380 edwards25519 hash in noble: ${rfc9380.nobleHashToCurveEdwards25519.cpu}/s; one field sqrt in JS: ${rfc9380.fieldSqrtInJs.cpu}/s`,
  );
  console.log(
    `load average (1, 5, 15 min): before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const path = writeResults('primitives-suites', {
    mode,
    runs: RUNS,
    itemsPerRun: ITEMS,
    identifiers: 'user.<i>@example.com, 20-26 bytes',
    dst: { ristretto255: HASH_TO_GROUP_DST, x25519: X25519_HASH_DST },
    loadAverage: { before: loadBefore, after: loadAfter },
    units: 'ops/s; cpu = per CPU second of the process, wall = per wall-clock second; medians',
    results,
    ratios,
    rfc9380,
  });
  console.log(`\nwrote ${path}`);
}

await main();
