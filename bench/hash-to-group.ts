/**
 * The x25519 hash to group (64 uniform bytes to a Montgomery u) side by side, every
 * implementation on the same inputs in one process, checked equal first:
 *
 * - `wasm`: the batched WebAssembly module every backend but noble uses now
 *   (src/group/x25519/wasm-hash.ts);
 * - `libsodium-native`: sodium-native's `from_uniform` twice and `add` per item, then
 *   u for the whole buffer in JS (the sodium-native backend's hash before the module,
 *   still its fallback without WebAssembly);
 * - `libsodium-wasm`: the same calls on libsodium's WebAssembly exports (the
 *   libsodium WASM and WebCrypto backends' hash before the module);
 * - `noble`: the pure-JS reference.
 *
 * Two measures that a busy machine does not distort much: CPU time of this thread
 * per item (median of alternating rounds), and with `--instructions` the
 * instructions per item counted by valgrind's callgrind (each implementation run in
 * a child process at two sizes; the difference divided by the extra items, so start-up,
 * JIT and loading cancel out). The load average is recorded with every figure.
 *
 *   npx tsx bench/hash-to-group.ts                  # CPU time, about 10 s of CPU (hash-to-group.json)
 *   npx tsx bench/hash-to-group.ts --instructions   # plus callgrind, a few minutes (hash-to-group-instructions.json)
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import sodium from 'libsodium-wrappers-sumo';
import { edwardsToMontgomery } from '../src/group/x25519/montgomery-u.js';
import { x25519NobleBackend } from '../src/group/x25519/noble.js';
import { loadWasmHashToU, type HashToU } from '../src/group/x25519/wasm-hash.js';
import { machineInfo, printTable, readLoad, writeResults } from './lib/index.js';

type Impl = 'wasm' | 'libsodium-native' | 'libsodium-wasm' | 'noble';
const IMPLS: readonly Impl[] = ['wasm', 'libsodium-native', 'libsodium-wasm', 'noble'];

interface NativeMaps {
  crypto_core_ed25519_from_uniform(p: Uint8Array, r: Uint8Array): void;
  crypto_core_ed25519_add(r: Uint8Array, p: Uint8Array, q: Uint8Array): void;
}

interface RawSodium {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _crypto_core_ed25519_from_uniform(out: number, r: number): number;
  _crypto_core_ed25519_add(out: number, p: number, q: number): number;
}

function libsodiumNative(): HashToU {
  const na = createRequire(import.meta.url)('sodium-native') as NativeMaps;
  const left = new Uint8Array(32);
  const right = new Uint8Array(32);
  return (uniform) => {
    const n = uniform.length / 64;
    const points = new Uint8Array(n * 32);
    for (let i = 0; i < n; i++) {
      na.crypto_core_ed25519_from_uniform(left, uniform.subarray(i * 64, i * 64 + 32));
      na.crypto_core_ed25519_from_uniform(right, uniform.subarray(i * 64 + 32, i * 64 + 64));
      na.crypto_core_ed25519_add(points.subarray(i * 32, (i + 1) * 32), left, right);
    }
    return edwardsToMontgomery(points);
  };
}

async function libsodiumWasm(): Promise<HashToU> {
  await sodium.ready;
  const lib = (sodium as unknown as { libsodium: RawSodium }).libsodium;
  const batch = 256;
  const inPtr = lib._malloc(batch * 64);
  const mapPtr = lib._malloc(64);
  const outPtr = lib._malloc(batch * 32);
  return (uniform) => {
    const n = uniform.length / 64;
    const points = new Uint8Array(n * 32);
    const heap = lib.HEAPU8;
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      heap.set(uniform.subarray(start * 64, end * 64), inPtr);
      for (let j = 0; j < end - start; j++) {
        lib._crypto_core_ed25519_from_uniform(mapPtr, inPtr + j * 64);
        lib._crypto_core_ed25519_from_uniform(mapPtr + 32, inPtr + j * 64 + 32);
        lib._crypto_core_ed25519_add(outPtr + j * 32, mapPtr, mapPtr + 32);
      }
      points.set(heap.subarray(outPtr, outPtr + (end - start) * 32), start * 32);
    }
    return edwardsToMontgomery(points);
  };
}

async function load(impl: Impl): Promise<HashToU> {
  switch (impl) {
    case 'wasm':
      return loadWasmHashToU();
    case 'libsodium-native':
      return libsodiumNative();
    case 'libsodium-wasm':
      return libsodiumWasm();
    case 'noble':
      return x25519NobleBackend.fromUniform;
  }
}

/** n pseudo-random 64-byte strings (a fixed xorshift: every run and child hashes the same). */
function uniformOf(n: number): Uint8Array {
  const out = new Uint8Array(n * 64);
  let x = 0x9e3779b9;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const argv = process.argv.slice(2);

if (argv[0] === '--child') {
  // One implementation, n items, once: what callgrind counts.
  const hash = await load(argv[1] as Impl);
  const uniform = uniformOf(Number(argv[2]));
  hash(uniformOf(256)); // load and compile paths outside the measured difference as well
  hash(uniform);
  process.exit(0);
}

const ITEMS: Record<Impl, number> = { wasm: 20_000, 'libsodium-native': 10_000, 'libsodium-wasm': 4_000, noble: 400 };
const ROUNDS = 5;

const hashes = Object.fromEntries(await Promise.all(IMPLS.map(async (i) => [i, await load(i)] as const))) as Record<Impl, HashToU>;
const check = uniformOf(600);
const reference = Buffer.from(hashes.noble(check)).toString('hex');
for (const impl of IMPLS) {
  if (Buffer.from(hashes[impl](check)).toString('hex') !== reference) throw new Error(`${impl} differs from noble`);
}

const loadBefore = readLoad();
const cpuUs: Record<Impl, number[]> = { wasm: [], 'libsodium-native': [], 'libsodium-wasm': [], noble: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const impl of IMPLS) {
    const uniform = uniformOf(ITEMS[impl]);
    hashes[impl](uniform.subarray(0, 64 * 256)); // warm
    const c0 = process.cpuUsage();
    hashes[impl](uniform);
    const c = process.cpuUsage(c0);
    cpuUs[impl].push((c.user + c.system) / ITEMS[impl]);
  }
}
const loadAfter = readLoad();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Instructions per item: callgrind totals at two sizes, differenced. */
function instructionsPerItem(impl: Impl): number | undefined {
  const small = 256;
  const large = small + { wasm: 8192, 'libsodium-native': 4096, 'libsodium-wasm': 2048, noble: 512 }[impl];
  const count = (n: number): number | undefined => {
    const run = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        process.execPath,
        '--import',
        'tsx',
        import.meta.filename,
        '--child',
        impl,
        String(n),
      ],
      { encoding: 'utf8' },
    );
    const m = /Collected : (\d+)/.exec(run.stderr ?? '');
    return m === null ? undefined : Number(m[1]);
  };
  const a = count(small);
  const b = count(large);
  return a === undefined || b === undefined ? undefined : Math.round((b - a) / (large - small));
}

const instructions: Partial<Record<Impl, number | undefined>> = {};
if (argv.includes('--instructions')) for (const impl of IMPLS) instructions[impl] = instructionsPerItem(impl);

const wasmUs = median(cpuUs.wasm);
const rows = IMPLS.map((impl) => {
  const us = median(cpuUs[impl]);
  return {
    implementation: impl,
    'CPU us per item': Math.round(us * 100) / 100,
    'items per CPU second': Math.round(1e6 / us),
    'CPU time / wasm': Math.round((us / wasmUs) * 100) / 100,
    'instructions per item': instructions[impl] ?? '',
    'instructions / wasm':
      instructions[impl] !== undefined && instructions.wasm !== undefined
        ? Math.round((instructions[impl] / instructions.wasm) * 100) / 100
        : '',
  };
});
printTable(rows);
console.log(
  `load average ${loadBefore.load} before, ${loadAfter.load} after (${loadBefore.cores} cores); CPU times are of this process, the hashing on its main thread`,
);
const path = writeResults(argv.includes('--instructions') ? 'hash-to-group-instructions' : 'hash-to-group', {
  machine: machineInfo(),
  loadBefore,
  loadAfter,
  rounds: ROUNDS,
  items: ITEMS,
  cpuUsPerItem: cpuUs,
  rows,
});
console.log(`results: ${path}`);
