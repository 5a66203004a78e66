/**
 * Additively homomorphic encryption for intersection-sum (issue 15): exponential ElGamal
 * on ristretto255 (libsodium WASM and noble) side by side with Paillier (paillier-bigint
 * 3.4.3, 2048-bit modulus, installed by bench/install-peers.ts), in one run, on one core.
 * Ends with the projected cost of one value column at 10^5 x 10^5 against the plain match.
 *
 *   npx tsx bench/install-peers.ts && npx tsx bench/homomorphic.ts          # quick (~1 min)
 *   npx tsx bench/homomorphic.ts --full                                     # more items, a 2^20 table
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { expandMessages, loadRistretto255Backend, randomScalar } from '../src/group/index.js';
import {
  CIPHERTEXT_BYTES,
  createDecryptionTable,
  decryptValues,
  encodePlaintexts,
  encryptValues,
  generateKeyPair,
  loadHomomorphicBackend,
  randomNonces,
  rerandomizeCiphertexts,
  sumBound,
  type HomomorphicBackend,
} from '../src/homomorphic/index.js';
import { HASH_TO_GROUP_DST } from '../src/protocol/version.js';
import { PEERS_DIR } from './install-peers.js';
import { benchMode, machineInfo, printTable, timeMedian, writeResults } from './lib/index.js';

const mode = benchMode();
const full = mode === 'full';
const RUNS = full ? 5 : 3;
/** Items per measured run; noble is ~5x slower than libsodium, Paillier ~100x slower again. */
const N = { sodium: full ? 5_000 : 1_000, noble: full ? 500 : 100, paillierSlow: full ? 40 : 10, paillierFast: full ? 20_000 : 2_000 };
/** The target: one value column, 10^5 advertiser rows matched against 10^5 platform rows. */
const ROWS = 100_000;
/** Purchase values in cents below 10^6 (10,000.00) and DP noise clamped at 10^5: the bound of the projection. */
const VALUE_BOUND = 1_000_000n;
const NOISE_BOUND = 100_000n;
const BABY_STEPS = full ? [2 ** 20, 2 ** 18, 2 ** 16, 2 ** 14] : [2 ** 18, 2 ** 16, 2 ** 14];

const opsPerSecond = async (n: number, fn: () => unknown) =>
  Math.round((n / (await timeMedian(fn, { runs: RUNS, warmup: 1 })).medianMs) * 1000);
const onceMs = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return Math.round((performance.now() - t) * 10) / 10;
};
const values = (n: number) => Array.from({ length: n }, (_, i) => BigInt((i * 7919) % 1_000_000));

async function elgamal(he: HomomorphicBackend) {
  const n = N[he.name];
  const keys = generateKeyPair();
  const plaintexts = encodePlaintexts(values(n), VALUE_BOUND);
  const nonces = randomNonces(n);
  const cts = he.encryptWithSecret(plaintexts, nonces, keys.secretKey);
  const other = he.encryptWithSecret(plaintexts, randomNonces(n), keys.secretKey);
  const zeros = he.encryptWithSecret(new Uint8Array(32 * n), nonces, keys.secretKey);
  const rows = Uint32Array.from({ length: n }, (_, k) => (k * 7) % n);
  const table = createDecryptionTable({ bound: 2n ** 20n, babySteps: 2 ** 10 });
  return {
    // The whole advertiser path: range checks, CSPRNG nonces, 2 fixed-base multiplications.
    encrypt: await opsPerSecond(n, () => encryptValues(he, values(n), keys.secretKey, VALUE_BOUND)),
    encryptCore: await opsPerSecond(n, () => he.encryptWithSecret(plaintexts, nonces, keys.secretKey)),
    // Unmerged: r·G and (r·s)·G, then + m·G: 3 fixed-base multiplications and an addition.
    encryptUnmerged: await opsPerSecond(n, () =>
      he.addPlain(he.encryptWithSecret(new Uint8Array(32 * n), nonces, keys.secretKey), plaintexts),
    ),
    encryptPublic: await opsPerSecond(n, () => he.encryptWithPublic(plaintexts, nonces, keys.publicKey)),
    add: await opsPerSecond(n, () => he.add(cts, other)),
    sum: await opsPerSecond(n, () => he.sum(cts)),
    sumRows: await opsPerSecond(n, () => he.sum(cts, rows)),
    validate: await opsPerSecond(n, () => he.validate(cts)),
    addPlain: await opsPerSecond(n, () => he.addPlain(zeros, plaintexts)),
    rerandomize: await opsPerSecond(n, () => rerandomizeCiphertexts(he, cts, keys.publicKey)),
    decryptToPoint: await opsPerSecond(n, () => he.decryptToPoints(cts, keys.secretKey)),
    // Sanity: the benchmarked ciphertexts decrypt (small table, values below 2^20).
    check: decryptValues(he, table, cts.subarray(0, 3 * CIPHERTEXT_BYTES), keys.secretKey).join(','),
  };
}

/**
 * Table build, memory and decryption time for a bound: at a typical sum and at the bound
 * itself (the longest search, also what an out-of-range sum costs). Worst cases beyond
 * 400k giant steps are extrapolated from the measured time per giant step, to keep the
 * run short; the rows say so.
 */
async function decryption(he: HomomorphicBackend, configs: readonly { bound: bigint; babySteps: number }[]) {
  const keys = generateKeyPair();
  const rows = [];
  let msPerGiantStep: number | undefined;
  for (const { bound, babySteps } of configs) {
    const typical = bound / 400n; // e.g. 25.00 on average over 50,000 matched rows at the projection's bound
    const [worstCt, typicalCt] = [encryptValues(he, [bound], keys.secretKey, bound), encryptValues(he, [typical], keys.secretKey, bound)];
    let table!: ReturnType<typeof createDecryptionTable>;
    const buildMs = onceMs(() => (table = createDecryptionTable({ bound, babySteps })));
    const index = table.exportIndex();
    const loadMs = onceMs(() => createDecryptionTable({ bound, babySteps, index }));
    let worstDecryptMs: number;
    let worstMeasured = true;
    if (table.maxGiantSteps <= 400_000 || msPerGiantStep === undefined) {
      let got: bigint[] = [];
      worstDecryptMs = onceMs(() => (got = decryptValues(he, table, worstCt, keys.secretKey)));
      if (got[0] !== bound) throw new Error('decryption mismatch');
      msPerGiantStep ??= worstDecryptMs / table.maxGiantSteps;
    } else {
      worstDecryptMs = Math.round(table.maxGiantSteps * msPerGiantStep);
      worstMeasured = false;
    }
    let got: bigint[] = [];
    const typicalDecryptMs = onceMs(() => (got = decryptValues(he, table, typicalCt, keys.secretKey)));
    if (got[0] !== typical) throw new Error('decryption mismatch');
    rows.push({
      bound: `2^${Math.log2(Number(bound)).toFixed(1)}`,
      babySteps: `2^${Math.log2(babySteps)}`,
      buildMs,
      loadSavedMs: loadMs,
      tableMiB: Math.round((table.bytes / 2 ** 20) * 10) / 10,
      maxGiantSteps: table.maxGiantSteps,
      worstDecryptMs,
      worstMeasured,
      typicalDecryptMs,
    });
  }
  return rows;
}

/**
 * The projection's three operations (match multiply, advertiser encrypt, platform sum),
 * timed round-robin so that a noisy neighbour (2 shared cores) slows all three alike:
 * their ratios are what the projection needs, and they hold better than absolute rates.
 */
async function interleavedRatios(he: HomomorphicBackend, multiply: () => unknown) {
  const n = N.sodium;
  const keys = generateKeyPair();
  const cts = encryptValues(he, values(n), keys.secretKey, VALUE_BOUND);
  const rows = Uint32Array.from({ length: n }, (_, k) => (k * 7) % n);
  const cases = { multiply, encrypt: () => encryptValues(he, values(n), keys.secretKey, VALUE_BOUND), sum: () => he.sum(cts, rows) };
  const times: Record<keyof typeof cases, number[]> = { multiply: [], encrypt: [], sum: [] };
  for (let round = 0; round < RUNS * 3 + 1; round++) {
    for (const [name, fn] of Object.entries(cases) as [keyof typeof cases, () => unknown][]) {
      const t = performance.now();
      fn();
      if (round > 0) times[name].push(performance.now() - t);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return {
    rounds: RUNS * 3,
    encryptPerMultiply: Math.round((median(times.encrypt) / median(times.multiply)) * 100) / 100,
    sumPerMultiply: Math.round((median(times.sum) / median(times.multiply)) * 100) / 100,
  };
}

interface Paillier {
  generateRandomKeys(bits: number): Promise<{
    publicKey: { n: bigint; encrypt(m: bigint): bigint; addition(...c: bigint[]): bigint };
    privateKey: { decrypt(c: bigint): bigint };
  }>;
}

async function paillier() {
  let lib: Paillier;
  try {
    lib = createRequire(join(PEERS_DIR, 'package.json'))('paillier-bigint') as Paillier;
  } catch {
    return undefined;
  }
  const t = performance.now();
  const keys = await lib.generateRandomKeys(2048);
  const keygenMs = Math.round(performance.now() - t);
  const { publicKey, privateKey } = keys;
  const slow = N.paillierSlow;
  const fast = N.paillierFast;
  const cts = values(fast)
    .slice(0, 64)
    .map((v) => publicKey.encrypt(v));
  const encZero = publicKey.encrypt(0n);
  return {
    keygenMs,
    encrypt: await opsPerSecond(slow, () => values(slow).forEach((v) => publicKey.encrypt(v))),
    // Summing n ciphertexts is n - 1 modular multiplications modulo n^2.
    add: await opsPerSecond(fast, () => {
      let acc = cts[0]!;
      for (let i = 1; i <= fast; i++) acc = publicKey.addition(acc, cts[i & 63]!);
      return acc;
    }),
    // Re-randomising is multiplying by a fresh encryption of 0 (an r^n mod n^2): an encryption's cost.
    rerandomize: await opsPerSecond(slow, () => cts.slice(0, slow).map((c) => publicKey.addition(c, publicKey.encrypt(0n)))),
    decrypt: await opsPerSecond(slow, () => cts.slice(0, slow).forEach((c) => privateKey.decrypt(c))),
    ciphertextBytes: Math.ceil(publicKey.n.toString(2).length / 4),
    check: privateKey.decrypt(publicKey.addition(cts[1]!, cts[2]!, encZero)) === values(3)[1]! + values(3)[2]!,
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(`homomorphic benchmark (${mode}): ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.commit}`);
  const loadBefore = loadavg()[0]!;
  const sodiumHe = await loadHomomorphicBackend('sodium');
  const nobleHe = await loadHomomorphicBackend('noble');

  // The yardstick: the group operation the plain match is made of (~4 per item pair).
  const group = await loadRistretto255Backend('sodium');
  const elements = group.fromUniform(
    expandMessages(
      values(N.sodium).map((v) => new TextEncoder().encode(`user.${v}@example.com`)),
      HASH_TO_GROUP_DST,
    ),
  );
  const key = randomScalar();
  const multiply = await opsPerSecond(N.sodium, () => group.multiply(elements, key));
  const ratios = await interleavedRatios(sodiumHe, () => group.multiply(elements, key));

  const fast = await elgamal(sodiumHe);
  const ref = await elgamal(nobleHe);
  const bound = sumBound({ valueBound: VALUE_BOUND, maxRows: ROWS, noiseBound: NOISE_BOUND });
  const tables = await decryption(sodiumHe, [
    ...BABY_STEPS.map((babySteps) => ({ bound, babySteps })),
    { bound: 2n ** 32n, babySteps: 2 ** 16 },
  ]);
  const pai = await paillier();

  const row = (operation: string, key: keyof typeof fast, paillierOps: number | string = '') => ({
    operation,
    elgamalSodiumOpsPerS: fast[key] as number,
    elgamalNobleOpsPerS: ref[key] as number,
    paillier2048OpsPerS: paillierOps,
  });
  const rows = [
    row('encrypt (advertiser, secret key: 2 fixed-base mults, incl. nonces)', 'encrypt', pai?.encrypt ?? ''),
    row('encrypt, backend only (packed scalars in, ciphertexts out)', 'encryptCore'),
    row('encrypt unmerged (3 fixed-base mults + 1 add)', 'encryptUnmerged'),
    row('encrypt with public key (fixed + variable base + add)', 'encryptPublic', pai?.encrypt ?? ''),
    row('add two ciphertexts (element-wise)', 'add', pai?.add ?? ''),
    row('sum, per ciphertext (platform, all rows)', 'sum', pai?.add ?? ''),
    row('sum, per ciphertext (platform, chosen rows)', 'sumRows'),
    row('validate untrusted ciphertext', 'validate'),
    row('add plaintext constant', 'addPlain'),
    row('re-randomise (public key)', 'rerandomize', pai?.rerandomize ?? ''),
    row('decrypt to m·G (before the table search)', 'decryptToPoint', pai?.decrypt ?? ''),
  ];
  console.log('ops/s are medians on one core.\n');
  printTable(rows);
  console.log(
    `\nciphertext bytes: ElGamal ${CIPHERTEXT_BYTES}, Paillier-2048 ${pai?.ciphertextBytes ?? 'n/a'}; Paillier keygen ${pai?.keygenMs ?? 'n/a'} ms`,
  );
  console.log(`ristretto255 multiply (libsodium, the plain match's operation): ${multiply}/s\n`);
  console.log(
    `baby-step giant-step at the projection's bound ${bound} (valueBound ${VALUE_BOUND} x ${ROWS} rows + noise ${NOISE_BOUND}), and at 2^32:`,
  );
  printTable(tables);

  // Projection for one value column, single core, seconds.
  const matchS = (4 * ROWS) / multiply;
  const atBound = tables.filter((t) => t.bound === tables[0]!.bound);
  const best = atBound.reduce((a, b) => (a.buildMs + a.worstDecryptMs <= b.buildMs + b.worstDecryptMs ? a : b));
  const elgamalCoreS = ROWS / fast.encrypt + ROWS / fast.sumRows + 2 / fast.encryptPublic + 1 / fast.rerandomize + 1 / fast.decryptToPoint;
  const elgamalS = elgamalCoreS + (best.buildMs + best.worstDecryptMs) / 1000;
  const cached = atBound.reduce((a, b) => (a.loadSavedMs + a.typicalDecryptMs <= b.loadSavedMs + b.typicalDecryptMs ? a : b));
  const elgamalCachedS = elgamalCoreS + (cached.loadSavedMs + cached.typicalDecryptMs) / 1000;
  const paillierS = pai ? ROWS / pai.encrypt + ROWS / pai.add + 2 / pai.rerandomize + 1 / pai.decrypt + pai.keygenMs / 1000 : undefined;
  const round = (x: number) => Math.round(x * 100) / 100;
  const projection = [
    { scheme: 'plain match (4 x 10^5 ristretto255 mults)', seconds: round(matchS), overOfMatch: '', wireMiB: '' },
    {
      scheme: `ElGamal/libsodium (table ${best.babySteps} built per session, worst-case decrypt)`,
      seconds: round(elgamalS),
      overOfMatch: round(elgamalS / matchS),
      wireMiB: round((ROWS * CIPHERTEXT_BYTES) / 2 ** 20),
    },
    {
      scheme: `ElGamal/libsodium (saved table ${cached.babySteps} loaded, typical sum)`,
      seconds: round(elgamalCachedS),
      overOfMatch: round(elgamalCachedS / matchS),
      wireMiB: round((ROWS * CIPHERTEXT_BYTES) / 2 ** 20),
    },
    ...(pai && paillierS
      ? [
          {
            scheme: 'Paillier-2048 (paillier-bigint)',
            seconds: round(paillierS),
            overOfMatch: round(paillierS / matchS),
            wireMiB: round((ROWS * pai.ciphertextBytes) / 2 ** 20),
          },
        ]
      : []),
  ];
  console.log(`\nprojection, 10^5 x 10^5, one value column, one core (overOfMatch: added time / plain match; target < 1):`);
  printTable(projection);
  if (!pai) console.log('paillier-bigint not installed (run bench/install-peers.ts): no baseline');

  // The same projection from interleaved ratios: match = 4 multiplies per row.
  const interleavedOver = round((ratios.encryptPerMultiply + ratios.sumPerMultiply) / 4);
  console.log(
    `\ninterleaved (${ratios.rounds} rounds): encrypt costs ${ratios.encryptPerMultiply} multiplies, sum ${ratios.sumPerMultiply} per row;` +
      ` encrypt + sum over the plain match = ${interleavedOver}`,
  );

  const path = writeResults('homomorphic', {
    interleaved: { ...ratios, encryptPlusSumOverMatch: interleavedOver },
    mode,
    itemsPerRun: N,
    runs: RUNS,
    loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    ristretto255MultiplyOpsPerS: multiply,
    rows,
    ciphertextBytes: { elgamal: CIPHERTEXT_BYTES, paillier2048: pai?.ciphertextBytes },
    paillierKeygenMs: pai?.keygenMs,
    decryptionTables: tables,
    projection,
    checks: { elgamalSodium: fast.check, elgamalNoble: ref.check, paillier: pai?.check },
  });
  console.log(`\nwrote ${path}`);
}

await main();
