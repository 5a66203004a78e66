/**
 * Intersection-sum (issue 15) side by side with the plain match on the same sets: the
 * service's default modes (the advertiser learns a released count, the platform the
 * intersection), the default suite and workers, runLocal in one process. The measured
 * session adds one advertiser value column (encrypted, summed by the platform with
 * encrypted noise, decrypted by the advertiser) and one platform column. Runs alternate
 * plain / measured so that a noisy neighbour slows both alike; the parts of the added
 * cost (encrypt, sum, decrypt) are timed alone afterwards.
 *
 *   npx tsx bench/measurement.ts                 # 10^5 x 10^5, 2 rounds (~3 min on 2 cores)
 *   npx tsx bench/measurement.ts --n 10000       # smaller sets
 */
import { loadavg } from 'node:os';
import {
  createDecryptionTable,
  decryptValues,
  encryptValues,
  generateKeyPair,
  loadHomomorphicBackend,
  sumBound,
} from '../src/homomorphic/index.js';
import { AdvertiserParty, PlatformParty } from '../src/measurement.js';
import { createParty, runLocal, type Party } from '../src/node.js';
import { sumNoiseBound } from '../src/measurement/sum-noise.js';
import { sumMatched } from '../src/measurement/platform-sums.js';
import { makeSets } from './session.js';
import { printTable, writeResults } from './lib/index.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const N = arg('--n', 100_000);
const ROUNDS = arg('--rounds', 2);
/** Purchases in cents below 10^5 (1,000.00), clamped there: the sensitivity of the sum. */
const VALUE_BOUND = 100_000;
const EPSILON = 0.25;

const { a: advertiserItems, b: platformItems } = makeSets(N, N, N / 2);
const amounts = advertiserItems.map((_, i) => (i * 7919) % VALUE_BOUND);
const clicks = platformItems.map((_, i) => i % 10);

function plainPair(): [Party, Party] {
  return [
    createParty({ role: 'initiator', items: advertiserItems, learn: 'released', peerLearns: 'intersection', keyFromItems: true }),
    createParty({ role: 'responder', items: platformItems, learn: 'intersection', peerLearns: 'released', disclosure: {} }),
  ];
}

function measuredPair(): [Party, Party] {
  return [
    new AdvertiserParty(
      { role: 'initiator', items: advertiserItems, learn: 'released', peerLearns: 'intersection', keyFromItems: true },
      { platformColumns: ['clicks'], values: { amount: amounts }, valueBound: VALUE_BOUND },
    ),
    new PlatformParty(
      { role: 'responder', items: platformItems, learn: 'intersection', peerLearns: 'released', disclosure: {} },
      { columns: { clicks: { values: clicks, bound: 10 } }, policy: {}, encryptedColumns: true },
    ),
  ];
}

async function timed(pair: () => [Party, Party]): Promise<{ ms: number; parties: [Party, Party] }> {
  const parties = pair();
  const t = performance.now();
  await runLocal(...parties);
  return { ms: performance.now() - t, parties };
}

/** The added cost's parts alone, on the same sizes: what the advertiser and the platform each do more. */
async function parts() {
  const he = await loadHomomorphicBackend();
  const keys = generateKeyPair();
  const values = amounts.map(BigInt);
  const bound = BigInt(VALUE_BOUND);
  let t = performance.now();
  const column = encryptValues(he, values, keys.secretKey, bound);
  const encryptMs = performance.now() - t;
  const positions = Uint32Array.from({ length: N / 2 }, (_, k) => 2 * k);
  const noiseBound = sumNoiseBound(bound, EPSILON);
  t = performance.now();
  const sum = await sumMatched(he, column, positions, keys.publicKey, 0n, noiseBound);
  const sumMs = performance.now() - t;
  t = performance.now();
  const table = createDecryptionTable({ bound: sumBound({ valueBound: bound, maxRows: N, noiseBound }) });
  const tableMs = performance.now() - t;
  t = performance.now();
  decryptValues(he, table, sum, keys.secretKey);
  const decryptMs = performance.now() - t;
  const r = (x: number) => Math.round(x);
  return { encryptMs: r(encryptMs), sumMs: r(sumMs), tableMs: r(tableMs), babySteps: table.babySteps, decryptMs: r(decryptMs) };
}

const loadBefore = loadavg();
const runs: { round: number; plainMs: number; measuredMs: number; ratio: number }[] = [];
let figures: unknown;
for (let round = 0; round < ROUNDS; round++) {
  const plain = await timed(plainPair);
  const measured = await timed(measuredPair);
  figures = (measured.parties[0].result() as { aggregates?: unknown }).aggregates;
  runs.push({
    round,
    plainMs: Math.round(plain.ms),
    measuredMs: Math.round(measured.ms),
    ratio: Math.round((measured.ms / plain.ms) * 100) / 100,
  });
  printTable([runs.at(-1)!]);
}
const breakdown = await parts();
const loadAfter = loadavg();
printTable([breakdown]);
const path = writeResults(N === 100_000 ? 'measurement' : `measurement-${N}`, {
  n: N,
  overlap: N / 2,
  valueBound: VALUE_BOUND,
  epsilon: EPSILON,
  runs,
  breakdown,
  figures,
  loadavg: { before: loadBefore.map((x) => Math.round(x * 100) / 100), after: loadAfter.map((x) => Math.round(x * 100) / 100) },
  finishedAt: new Date().toISOString(),
});
console.log(`results in ${path}; load average before ${loadBefore[0]!.toFixed(2)}, after ${loadAfter[0]!.toFixed(2)}`);
