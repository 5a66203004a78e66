/**
 * Group primitives per backend, ops/s on one core (plus the blinder on all cores),
 * side by side with plain SHA-256 of the same identifiers: the status-quo "hashed
 * audience upload" that PSI replaces.
 *
 *   npx tsx bench/primitives.ts          # quick
 *   npx tsx bench/primitives.ts --full   # more items per run
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { hash } from 'node:crypto';
import { loadavg } from 'node:os';
import sodium from 'libsodium-wrappers-sumo';
import {
  createBlinder,
  expandMessages,
  loadRistretto255Backend,
  ristretto255NobleBackend,
  randomScalar,
  type Ristretto255Backend,
} from '../src/group/index.js';
// Blinders on every core, as in the Node entry and the service.
import '../src/pool/install.js';
import { stopIdlePools } from '../src/pool/registry.js';
import { HASH_TO_GROUP_DST } from '../src/protocol/version.js';
import { benchMode, machineInfo, printTable, timeMedian, writeResults } from './lib/index.js';

const mode = benchMode();
const full = mode === 'full';
/** Items per measured run: sodium is ~4x noble, so it gets more to keep runs comparable in length. */
const N = { noble: full ? 2_000 : 150, sodium: full ? 20_000 : 800, hash: full ? 500_000 : 30_000 };
const RUNS = full ? 5 : 3;

const utf8 = new TextEncoder();
const identifiers = (n: number) => Array.from({ length: n }, (_, i) => utf8.encode(`user.${i}@example.com`));

/** Ops per second of `fn`, which performs `n` operations per call; median of RUNS runs. */
async function opsPerSecond(n: number, fn: () => unknown): Promise<number> {
  const { medianMs } = await timeMedian(fn, { runs: RUNS, warmup: 1 });
  return Math.round((n / medianMs) * 1000);
}

/** Decode-and-validate alone: what a party pays per untrusted peer element before any multiplication. */
async function decodeValidate(backend: Ristretto255Backend, elements: Uint8Array, n: number): Promise<number> {
  if (backend.name === 'noble') {
    return opsPerSecond(n, () => {
      for (let i = 0; i < n; i++) ristretto255.Point.fromBytes(elements.subarray(i * 32, (i + 1) * 32));
    });
  }
  const lib = (
    sodium as unknown as {
      libsodium: { HEAPU8: Uint8Array; _malloc(n: number): number; _crypto_core_ristretto255_is_valid_point(p: number): number };
    }
  ).libsodium;
  const ptr = lib._malloc(n * 32);
  lib.HEAPU8.set(elements.subarray(0, n * 32), ptr);
  return opsPerSecond(n, () => {
    for (let i = 0; i < n; i++) if (lib._crypto_core_ristretto255_is_valid_point(ptr + i * 32) !== 1) throw new Error('invalid');
  });
}

/** Encoding alone; libsodium has no standalone encoder (it is fused into every operation). */
async function encode(backend: Ristretto255Backend, elements: Uint8Array, n: number): Promise<number | undefined> {
  if (backend.name !== 'noble') return undefined;
  const points = Array.from({ length: n }, (_, i) => ristretto255.Point.fromBytes(elements.subarray(i * 32, (i + 1) * 32)));
  return opsPerSecond(n, () => points.forEach((p) => p.toBytes()));
}

async function measure(backend: Ristretto255Backend) {
  const n = N[backend.name];
  const items = identifiers(n);
  const key = randomScalar();
  const uniform = expandMessages(items, HASH_TO_GROUP_DST);
  const elements = backend.fromUniform(uniform);
  return {
    hashToGroup: await opsPerSecond(n, () => backend.fromUniform(expandMessages(items, HASH_TO_GROUP_DST))),
    fromUniform: await opsPerSecond(n, () => backend.fromUniform(uniform)),
    multiply: await opsPerSecond(n, () => backend.multiply(elements, key)),
    blind: await opsPerSecond(n, () => backend.blindUniform(uniform, key)),
    decodeValidate: await decodeValidate(backend, elements, n),
    encode: await encode(backend, elements, n),
  };
}

/** blind + reblind through createBlinder on every core: the engine the protocol uses. */
async function allCores(backend: 'noble' | 'sodium') {
  const n = N[backend] * 4;
  const items = identifiers(n);
  const uniform = expandMessages(items, HASH_TO_GROUP_DST);
  const blinder = await createBlinder({ key: randomScalar(), backend });
  const elements = await blinder.blind(uniform);
  const result = {
    blind: await opsPerSecond(n, () => blinder.blind(uniform)),
    multiply: await opsPerSecond(n, () => blinder.reblind(elements)),
  };
  await blinder.close();
  return result;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(`primitives benchmark (${mode}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}`);
  const loadBefore = loadavg()[0]!;
  const sodiumBackend = await loadRistretto255Backend('sodium');
  const noble = await measure(ristretto255NobleBackend);
  const fast = await measure(sodiumBackend);
  // Noble on all cores takes long to measure and matters less (browsers run it inline): full runs only.
  const pooledNoble = full ? await allCores('noble') : { blind: undefined, multiply: undefined };
  const pooledSodium = await allCores('sodium');
  await stopIdlePools();

  const items = identifiers(N.hash);
  const sha256 = await opsPerSecond(N.hash, () => items.forEach((m) => hash('sha256', m, 'buffer')));
  const xmdNative = await opsPerSecond(N.hash, () => expandMessages(items, HASH_TO_GROUP_DST));
  const xmdNoble = await opsPerSecond(N.hash / 4, () => {
    for (let i = 0; i < N.hash / 4; i++) expand_message_xmd(items[i]!, HASH_TO_GROUP_DST, 64, sha512);
  });

  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Number((a / b).toFixed(2)) : '');
  const row = (operation: string, n: number | undefined, s: number | undefined) => ({
    operation,
    nobleOpsPerS: n ?? '',
    sodiumOpsPerS: s ?? '',
    sodiumOverNoble: ratio(s, n),
    costInSha256s: ratio(sha256, s ?? n),
  });
  const rows = [
    row('hash-to-group (xmd + element derivation)', noble.hashToGroup, fast.hashToGroup),
    row('element derivation from 64 bytes', noble.fromUniform, fast.fromUniform),
    row('decode + validate', noble.decodeValidate, fast.decodeValidate),
    row('encode', noble.encode, fast.encode),
    row('multiply (decode, validate, mul, encode)', noble.multiply, fast.multiply),
    row('blind (derive + mul)', noble.blind, fast.blind),
    row(`blind, createBlinder on ${machine.cores} cores`, pooledNoble.blind, pooledSodium.blind),
    row(`multiply, createBlinder on ${machine.cores} cores`, pooledNoble.multiply, pooledSodium.multiply),
  ];
  const hashing = [
    { operation: 'SHA-256 of the identifier (status quo), native', opsPerS: sha256 },
    { operation: 'expand_message_xmd SHA-512, native (Node)', opsPerS: xmdNative },
    { operation: 'expand_message_xmd SHA-512, noble (browsers)', opsPerS: xmdNoble },
  ];
  console.log('ops/s are medians on one core unless stated; costInSha256s = SHA-256 ops/s over the sodium (else noble) ops/s.\n');
  printTable(rows);
  console.log('');
  printTable(hashing);
  const path = writeResults('primitives', {
    mode,
    itemsPerRun: N,
    runs: RUNS,
    identifiers: 'user.<i>@example.com, 20-26 bytes',
    dst: HASH_TO_GROUP_DST,
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    rows,
    hashing,
  });
  console.log(`\nwrote ${path}`);
}

await main();
