/**
 * Why the status-quo upload file is not private, measured: recover phone
 * numbers and email addresses from their SHA-256 hashes by enumeration, on
 * this machine's CPU, and extrapolate. Run with `npm run bench:attack`
 * (`-- --help` for options). Writes bench/results/plain-hash-attack.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js';
import { hashIdentifier, IdentifierError, normalize } from '../../src/core.js';
import { CANDIDATES_PER_FIRST_NAME, FIRST_NAMES, syntheticEmail } from './email-dictionary.js';
import { enumeratePhones, type PhoneMethod } from './phone-kernel.js';
import type { AttackJob } from './worker.js';

/** hashcat v6.2.6, mode 1400 (SHA2-256), one RTX 4090: https://gist.github.com/Chick3nman/32e662a5bb63bc4f51b847bb422222fd */
const RTX_4090_SHA256_PER_SECOND = 21_975.5e6;

const { values: args } = parseArgs({
  options: {
    area: { type: 'string', default: '650' },
    phones: { type: 'string', default: '1000' },
    candidates: { type: 'string', default: '10000000' },
    sample: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '3' },
    emails: { type: 'string', default: '2000' },
    patterned: { type: 'string', default: '0.7' },
    workers: { type: 'string', default: String(availableParallelism()) },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:attack -- [options]
  --area 650            NANP area code whose 10^7 numbers are enumerated
  --phones 1000         phone numbers in the leaked hash list
  --candidates 10000000 candidates to try (default: the whole area code; fewer = extrapolated)
  --sample 1000000      candidates per single-thread rate measurement
  --reps 3              rate measurements per method (the median is reported)
  --emails 2000         email addresses in the leaked hash list
  --patterned 0.7       share of those addresses that follow a dictionary pattern
  --workers N           threads for the full runs (default: all cores)
  --seed 1              seed of the synthetic victim lists`);
  process.exit(0);
}
const num = (name: keyof typeof args): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number`);
  return v;
};
const area = String(args.area);
if (!/^[2-9]\d\d$/.test(area)) throw new Error('--area must be a 3-digit NANP area code');
const workers = Math.max(1, Math.floor(num('workers')));
const candidates = Math.min(1e7, Math.floor(num('candidates')));

/** mulberry32: a small seeded generator, so the victim lists are reproducible. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(num('seed'));
// Other processes share the cores; recorded so a noisy run can be recognised.
const loadBefore = loadavg()[0]!;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function spawn(task: AttackJob): Promise<{ tried: number; found: string[]; seconds: number }> {
  const entry = new URL('./worker.ts', import.meta.url);
  const built = new URL('./worker.js', import.meta.url);
  // Node 20 does not carry tsx's hooks into workers: boot through tsx's API.
  const worker = existsSync(fileURLToPath(built))
    ? new Worker(built, { workerData: task })
    : new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => api.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}));`,
        {
          eval: true,
          workerData: task,
        },
      );
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function parallel(jobs: AttackJob[]): Promise<{ tried: number; found: string[]; seconds: number }> {
  const start = process.hrtime.bigint();
  const results = await Promise.all(jobs.map(spawn));
  return {
    tried: results.reduce((s, r) => s + r.tried, 0),
    found: results.flatMap((r) => r.found),
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
  };
}

function slices(total: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [Math.floor((total * i) / parts), Math.floor((total * (i + 1)) / parts)]);
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const duration = (s: number): string =>
  s < 1e-3
    ? `${fmt(s * 1e6, 1)} µs`
    : s < 1
      ? `${fmt(s * 1e3, 1)} ms`
      : s < 120
        ? `${fmt(s, 1)} s`
        : s < 7200
          ? `${fmt(s / 60, 1)} min`
          : s < 86400 * 2
            ? `${fmt(s / 3600, 1)} h`
            : `${fmt(s / 86400, 1)} days`;

// ---- (a) phone numbers of one area code, Meta format ------------------------------------------
const prefix = `1${area}`;
const victims = new Set<string>();
while (victims.size < num('phones')) {
  const national = String(Math.floor(random() * 1e7)).padStart(7, '0');
  try {
    victims.add(normalize(`+${prefix}${national}`, 'phone', { profile: 'meta' }));
  } catch (e) {
    if (!(e instanceof IdentifierError)) throw e;
  }
}
const phoneHashes = [...victims].map((p) => hashIdentifier(p));
console.log(`(a) ${victims.size} phone numbers in +1 ${area}, hashed as Meta asks (SHA-256 hex of "${prefix}XXXXXXX")`);

const sample = Math.max(1, Math.min(candidates, Math.floor(num('sample'))));
const methods: PhoneMethod[] = ['createHash', 'crypto.hash', 'one-block'];
const rates: Record<string, { runs: number[]; median: number }> = {};
for (const method of methods) {
  // Warm up: let the JIT compile the loop before it is timed.
  enumeratePhones({ prefix, from: 0, to: Math.min(sample, 100_000), method, targets: phoneHashes });
  const runs: number[] = [];
  for (let r = 0; r < Math.max(1, num('reps')); r++) {
    const res = enumeratePhones({ prefix, from: 0, to: sample, method, targets: phoneHashes });
    runs.push(res.tried / res.seconds);
  }
  rates[method] = { runs, median: median(runs) };
}
const baseline = rates.createHash!.median;
console.log(`\n  single-thread hash rate, ${fmt(sample)} candidates x ${num('reps')} runs (median):`);
console.log('  method        hashes/s      vs createHash');
for (const m of methods) console.log(`  ${m.padEnd(12)} ${fmt(rates[m]!.median).padStart(12)}   ${fmt(rates[m]!.median / baseline, 2)}x`);
const best = methods.reduce((a, b) => (rates[b]!.median > rates[a]!.median ? b : a));

const phoneRun = await parallel(
  slices(candidates, workers).map(([from, to]) => ({ kind: 'phone', job: { prefix, from, to, method: best, targets: phoneHashes } })),
);
const recoveredPhones = new Set(phoneRun.found.filter((p) => victims.has(p)));
const victimsInRange = [...victims].filter((p) => Number(p.slice(4)) < candidates).length;
const phoneRate = phoneRun.tried / phoneRun.seconds;
const fullArea = 1e7;
const areaSeconds = candidates === fullArea ? phoneRun.seconds : fullArea / phoneRate;
console.log(
  `\n  full run, ${best}, ${workers} thread(s): tried ${fmt(phoneRun.tried)} candidates in ${fmt(phoneRun.seconds, 2)} s ` +
    `(${fmt(phoneRate)} hashes/s); recovered ${recoveredPhones.size} of ${victims.size} numbers` +
    (candidates < fullArea ? ` (${victimsInRange} of them lie in the range tried)` : ''),
);
if (candidates < fullArea) {
  console.log(
    `  (only ${fmt(candidates)} of 10,000,000 candidates tried: the whole area code would take ~${duration(areaSeconds)} at this rate, extrapolated)`,
  );
}

// ---- (b) email addresses against a name dictionary --------------------------------------------
const patterned = Math.min(1, num('patterned'));
const emailVictims = new Set<string>();
const inDictionary = new Set<string>();
while (emailVictims.size < num('emails')) {
  const { email, patterned: covered } = syntheticEmail(random, patterned);
  const normalized = normalize(email, 'email');
  emailVictims.add(normalized);
  if (covered) inDictionary.add(normalized);
}
const emailHashes = [...emailVictims].map((e) => hashIdentifier(e));
console.log(
  `\n(b) ${emailVictims.size} email addresses (${Math.round(patterned * 100)}% follow a first/last-name pattern, the rest are random), hashed as Meta asks`,
);
const emailRun = await parallel(
  slices(FIRST_NAMES.length, workers).map(([from, to]) => ({ kind: 'email', job: { from, to, targets: emailHashes } })),
);
const recoveredEmails = new Set(emailRun.found.filter((e) => emailVictims.has(e)));
const emailRate = emailRun.tried / emailRun.seconds;
console.log(
  `  dictionary of ${fmt(emailRun.tried)} candidates (${FIRST_NAMES.length} first names x ${fmt(CANDIDATES_PER_FIRST_NAME)} ` +
    `surname/pattern/domain combinations) in ${fmt(emailRun.seconds, 2)} s (${fmt(emailRate)} hashes/s, ${workers} thread(s)); ` +
    `recovered ${recoveredEmails.size} of ${emailVictims.size} (${inDictionary.size} of them follow a pattern)`,
);

// ---- extrapolation -----------------------------------------------------------------------------
// Upper bound for the world: every country calling code's plan taken as 10^10 numbers (most are far smaller).
const callingCodes = new Set(getCountries().map((c) => getCountryCallingCode(c))).size;
const spaces = [
  { space: 'one NANP area code', candidates: 1e7 },
  { space: 'all 10-digit NANP numbers (+1)', candidates: 1e10 },
  { space: `${callingCodes} calling codes x 10^10 (world, upper bound)`, candidates: callingCodes * 1e10 },
];
const extrapolation = spaces.map((s) => ({
  ...s,
  cpuSeconds: s.candidates / phoneRate,
  rtx4090Seconds: s.candidates / RTX_4090_SHA256_PER_SECOND,
}));
console.log('\nextrapolated time to hash every candidate (phone numbers):');
console.log(`  ${'space'.padEnd(46)} ${'this CPU'.padStart(12)} ${'one RTX 4090'.padStart(14)}`);
for (const e of extrapolation)
  console.log(`  ${e.space.padEnd(46)} ${duration(e.cpuSeconds).padStart(12)} ${duration(e.rtx4090Seconds).padStart(14)}`);
console.log(
  `  (RTX 4090: hashcat v6.2.6 mode 1400, ${fmt(RTX_4090_SHA256_PER_SECOND / 1e6, 1)} MH/s, https://gist.github.com/Chick3nman/32e662a5bb63bc4f51b847bb422222fd)`,
);

const results = {
  bench: 'plain-hash-attack',
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    platform: `${platform()} ${release()}`,
    arch: arch(),
    node: process.version,
    totalMemGiB: +(totalmem() / 2 ** 30).toFixed(1),
    loadAverage1m: { before: +loadBefore.toFixed(2), after: +loadavg()[0]!.toFixed(2) },
  },
  phone: {
    areaCode: area,
    format: `Meta: SHA-256 hex of "${prefix}XXXXXXX"`,
    targets: victims.size,
    candidatesTried: phoneRun.tried,
    recovered: recoveredPhones.size,
    targetsInRangeTried: victimsInRange,
    seconds: +phoneRun.seconds.toFixed(3),
    hashesPerSecond: Math.round(phoneRate),
    threads: workers,
    method: best,
    wholeAreaCodeSeconds: +areaSeconds.toFixed(3),
    extrapolatedAreaCode: candidates < fullArea,
    singleThread: Object.fromEntries(
      methods.map((m) => [
        m,
        {
          sample,
          runs: rates[m]!.runs.map(Math.round),
          median: Math.round(rates[m]!.median),
          vsCreateHash: +(rates[m]!.median / baseline).toFixed(2),
        },
      ]),
    ),
  },
  email: {
    targets: emailVictims.size,
    patternedShare: patterned,
    dictionary: { firstNames: FIRST_NAMES.length, candidates: emailRun.tried },
    patternedTargets: inDictionary.size,
    recovered: recoveredEmails.size,
    seconds: +emailRun.seconds.toFixed(3),
    hashesPerSecond: Math.round(emailRate),
    threads: workers,
  },
  extrapolation: extrapolation.map((e) => ({ ...e, cpuSeconds: +e.cpuSeconds.toFixed(3), rtx4090Seconds: +e.rtx4090Seconds.toFixed(6) })),
  gpuSource: {
    device: 'NVIDIA RTX 4090',
    tool: 'hashcat v6.2.6 -m 1400',
    hashesPerSecond: RTX_4090_SHA256_PER_SECOND,
    url: 'https://gist.github.com/Chick3nman/32e662a5bb63bc4f51b847bb422222fd',
  },
};
const out = new URL('../results/plain-hash-attack.json', import.meta.url);
await mkdir(new URL('.', out), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${fileURLToPath(out)}`);
