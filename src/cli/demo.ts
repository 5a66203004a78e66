import { randomInt } from 'node:crypto';
import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PsiError } from '../errors.js';
import { describeReleased } from '../disclosure/release.js';
import type { SessionSummary } from '../service/result.js';
import type { CliIo } from './io.js';
import { matchCommand, type MatchReport } from './match.js';
import { startService } from './serve.js';

/**
 * Options of the `demo` command: how much data to generate.
 *
 * @example
 * ```ts
 * const opts: DemoOptions = { platform: 50_000, advertiser: 10_000, overlap: 2_500 };
 * ```
 */
export interface DemoOptions {
  /** Platform users. */
  platform: number;
  /** Advertiser customers (valid, distinct). */
  advertiser: number;
  /** Customers who are also platform users. */
  overlap: number;
  workers?: number | undefined;
  /** Group suite (`--group`); default x25519. */
  group?: GroupName | undefined;
  /** Arithmetic backend (`--backend`); default auto. */
  backend?: BackendChoice | undefined;
  /** Keep the generated files and results instead of deleting them. */
  keep?: boolean;
}

/**
 * What the demo's two sides learnt.
 *
 * @example
 * ```ts
 * const { advertiser, platform } = await runDemo(opts, io);
 * ```
 */
export interface DemoReport {
  advertiser: MatchReport;
  platform: SessionSummary;
  /** Overlap planted in the generated data. */
  planted: number;
  elapsedMs: number;
}

const FIRST = ['ann', 'bo', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hana', 'ivan', 'jo', 'kofi', 'lena'];
const LAST = ['smith', 'garcia', 'kim', 'okafor', 'novak', 'rossi', 'haddad', 'silva', 'tanaka', 'berg'];
const DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example', 'shop.example'];

function email(i: number): string {
  return `${FIRST[i % FIRST.length]}.${LAST[(i >> 4) % LAST.length]}${i}@${DOMAINS[(i >> 8) % DOMAINS.length]}`;
}

/** A valid US number (exchange 2xx and up) per user. */
function phone(i: number): string {
  return `+1650${2_000_000 + i}`;
}

/** The number as a shop's form might hold it. */
function spaced(e164: string): string {
  return `${e164.slice(0, 2)} ${e164.slice(2, 5)} ${e164.slice(5, 8)} ${e164.slice(8)}`;
}

/** The same address as a person might have typed it into a CRM: other case, stray spaces. */
function messy(address: string): string {
  const cased = randomInt(2) === 0 ? address.toUpperCase() : address[0]!.toUpperCase() + address.slice(1);
  return randomInt(2) === 0 ? `  ${cased} ` : cased;
}

function pickDistinct(count: number, from: number): number[] {
  const pool = Array.from({ length: from }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + randomInt(from - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

function csvCell(value: string): string {
  return /[",\s]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Runs the product end to end on this machine: generates a platform's users
 * and an advertiser's customers (a known number in common, written differently),
 * starts the platform's service on loopback, runs the advertiser's client
 * against it over HTTP, prints what each side learnt, and stops the service.
 *
 * @example
 * ```ts
 * await runDemo({ platform: 50_000, advertiser: 10_000, overlap: 2_500 }, processIo());
 * ```
 */
export async function runDemo(opts: DemoOptions, io: CliIo): Promise<DemoReport> {
  if (opts.overlap > opts.advertiser || opts.overlap > opts.platform) {
    throw new PsiError('OPTIONS_INVALID', 'the overlap cannot exceed either side');
  }
  const started = performance.now();
  const n = (x: number) => x.toLocaleString('en-US');
  const dir = await mkdtemp(join(tmpdir(), 'blindjoin-demo-'));
  const workers = {
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.group === undefined ? {} : { group: opts.group }),
    ...(opts.backend === undefined ? {} : { backend: opts.backend }),
  };
  try {
    const platformCsv = join(dir, 'platform.csv');
    const advertiserCsv = join(dir, 'advertiser.csv');
    const users = Array.from({ length: opts.platform }, (_, i) => `u${i + 1},${email(i)},${phone(i)}\n`);
    await writeFile(platformCsv, `user_id,email,phone\n${users.join('')}`);
    // A fifth of the shared customers gave the shop another email: only their phone number finds them.
    const byPhone = Math.floor(opts.overlap / 5);
    const shared = pickDistinct(opts.overlap, opts.platform).map((i, k) =>
      k < byPhone ? [`${FIRST[i % FIRST.length]}${i}@home.example`, spaced(phone(i))] : [messy(email(i)), ''],
    );
    const others = Array.from({ length: opts.advertiser - opts.overlap }, (_, i) => [email(opts.platform + i), '']);
    const invalid = [
      ['not-an-email', ''],
      ['bob@', ''],
      ['', ''],
    ];
    const customers = [...shared, ...others, ...invalid, shared[0] ?? others[0] ?? ['x', '']];
    const order = pickDistinct(customers.length, customers.length);
    const lines = order.map((i, row) => `c${row + 1},${customers[i]!.map(csvCell).join(',')},US\n`);
    await writeFile(advertiserCsv, `customer_id,email,phone,country\n${lines.join('')}`);
    io.out(
      `blindjoin demo: an ad platform and an advertiser find their common customers over HTTP;\n` +
        `neither hands its list to the other.\n\n` +
        `  platform    ${n(opts.platform)} users      ${platformCsv}\n` +
        `  advertiser  ${n(customers.length)} rows       ${advertiserCsv}\n` +
        `              ${n(opts.overlap)} of them platform users, typed in other case and spacing;\n` +
        `              ${n(byPhone)} of these under another email, found by their phone number only;\n` +
        `              plus ${invalid.length} invalid rows and 1 duplicate\n\n`,
    );
    const outDir = join(dir, 'results');
    const service = await startService(
      {
        input: platformCsv,
        column: 'email,phone',
        type: 'email,phone',
        emit: ['user_id', 'email'],
        port: 0,
        host: '127.0.0.1',
        learn: 'intersection',
        disclosure: 'policy',
        budgetWindow: 30 * 86_400_000,
        maxSessions: 4,
        idleTimeout: 120_000,
        // A small demo list may be below the production minimum of 1,000 items.
        minItems: Math.min(1000, opts.advertiser),
        out: outDir,
        ...workers,
      },
      { ...io, err: () => undefined },
    );
    let advertiser: MatchReport;
    try {
      io.out(
        `platform service listening on ${service.url}: it learns which users matched; advertisers learn only\n` +
          `a figure noised and rounded under its disclosure policy, charged to a privacy budget (docs/privacy.md)\n\n`,
      );
      io.out('advertiser: blindjoin match --server URL --input advertiser.csv --column email,phone --type email,phone\n');
      advertiser = await matchCommand(
        {
          server: service.url,
          input: advertiserCsv,
          column: 'email,phone',
          type: 'email,phone',
          learn: 'auto',
          peerLearns: 'auto',
          json: false,
          timeout: 300_000,
          retries: 4,
          // The demo's service lives for one run: its secret goes with the run's files, not into ~/.config.
          keyFile: join(dir, 'advertiser.key'),
          ...workers,
        },
        io,
      );
    } finally {
      await service.close();
    }
    const summaryFile = (await readdir(outDir)).find((f) => f.endsWith('.summary.json'));
    if (summaryFile === undefined) throw new PsiError('RESULT_MISSING', 'the platform wrote no result');
    const platform = JSON.parse(await readFile(join(outDir, summaryFile), 'utf8')) as SessionSummary;
    const sample = (await readFile(join(outDir, platform.rowsFile!), 'utf8')).split('\n').slice(1, 4);
    io.out(
      `\nplatform: learnt which of its users matched: ${n(platform.matched!)} users, in ${join(outDir, platform.rowsFile!)}\n` +
        `  e.g. ${sample.map((l) => `line ${l.replaceAll(',', ' ')}`).join('; ')}\n` +
        `  and that the advertiser brought ${n(platform.peerSize)} distinct customers, nothing else about them\n\n`,
    );
    // Users, not identifiers: a customer found by email or by phone is one user.
    const found = platform.matched ?? 0;
    const agreed = found === opts.overlap;
    const elapsedMs = Math.round(performance.now() - started);
    const released = advertiser.released;
    io.out(
      `advertiser learnt: ${released === undefined ? 'nothing' : `${describeReleased(released)} common customers (${released.note})`}\n` +
        `exact disclosure would have given: ${n(found)}, which is also a membership oracle (docs/privacy.md)\n` +
        `${agreed ? 'the platform found' : 'MISMATCH: the platform found'} ${n(found)} common customers; ${n(opts.overlap)} were planted, ` +
        `${n(byPhone)} of them by the second identifier (phone) alone\n` +
        `elapsed ${(elapsedMs / 1000).toFixed(1)} s; service stopped; ` +
        `${opts.keep ? `files kept in ${dir}` : 'generated files removed (--keep keeps them)'}\n`,
    );
    if (!agreed) throw new PsiError('DEMO_MISMATCH', 'the demo found another overlap than it planted');
    return { advertiser, platform, planted: opts.overlap, elapsedMs };
  } finally {
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
  }
}
