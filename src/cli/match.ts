import { formatInteger } from '../disclosure/display.js';
import type { Figure } from '../wire/figure.js';
import { PsiError } from '../errors.js';
import { advertiserSecret, defaultKeyFile } from '../transport/advertiser-key.js';
import { blindedCacheFile, readBlindedCache, writeBlindedCache } from '../transport/blinded-cache-file.js';
import type { BlindedCache } from '../protocol/blinded-cache.js';
import { describeReleased } from '../disclosure/release.js';
import type { Aggregates } from '../measurement/types.js';
import type { MatchAudience, MatchOverHttpOptions } from '../transport/client.js';
import type { AudienceMode } from '../wire/audience.js';
import type { TermsBudget } from '../wire/terms.js';
import type { ReleasedFigure } from '../wire/release.js';
import type { Reveal } from '../wire/reveal.js';
import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { writeFileAtomic } from '../atomic-file.js';
import { matchOverHttp } from '../transport/match-over-http.js';
import { matchedRowsCsv, type MatchedRow } from '../service/result.js';
import { loadInput, resolveInput, type InputSpec } from './input.js';
import { progressBar, type CliIo } from './io.js';

/**
 * Options of the `match` command, as parsed from its flags.
 *
 * @example
 * ```ts
 * const opts: MatchOptions = { server: 'http://127.0.0.1:8080', input: 'customers.csv', column: 'email',
 *   type: 'email', learn: 'size', peerLearns: 'intersection', json: true, timeout: 300_000, retries: 4 };
 * ```
 */
export interface MatchOptions extends InputSpec {
  server: string;
  token?: string | undefined;
  /** `'auto'` takes what the service's terms offer. */
  learn: Reveal | 'auto';
  peerLearns: Reveal | 'auto';
  json: boolean;
  /** File receiving the matched rows when this side learns the intersection. */
  output?: string;
  timeout: number;
  retries: number;
  workers?: number | undefined;
  /** Group suite (`--group`); default x25519. */
  group?: GroupName | undefined;
  /** Arithmetic backend (`--backend`); default auto. */
  backend?: BackendChoice | undefined;
  /** `--platform-values`: the service's value columns to release, `['all']` for every one it offers. */
  platformValues?: string[];
  /** `--value-bound`: clamp of each own `--values` value per customer; default 10^6 (`DEFAULT_VALUE_BOUND`). */
  valueBound?: number;
  /** The advertiser's secret (created 0600 if missing, never sent); default one file per service origin (`defaultKeyFile`). */
  keyFile?: string;
  /** A relationship of this name with the service's store: one key for every list, so later sessions skip what it kept. */
  relationship?: string;
  /** With `relationship`: false (`--no-blinded-cache`) blinds every item afresh and keeps no cache file. */
  blindedCache?: boolean;
  /** `--audience`: keep the matched users as this named audience on the platform. */
  audience?: string;
  /** `--audience-mode`: `replace` (default), `add` or `remove`. */
  audienceMode?: AudienceMode;
}

/**
 * What `match --json` prints: one object. `size` is present when learnt,
 * `matches` when the intersection is learnt and no `--output` took it.
 *
 * @example
 * ```ts
 * const report: MatchReport = JSON.parse(stdout);
 * report.size; report.peerSize; report.items;
 * ```
 */
export interface MatchReport {
  server: string;
  sessionId: string;
  learn: Reveal;
  peerLearns: Reveal;
  /** Distinct items sent. */
  items: number;
  /** The service's distinct items. */
  peerSize: number;
  /** Distinct items in both; only under exact disclosure (`learn` size or intersection). */
  size?: number;
  /** Under a disclosure policy: the figure the service released, never the exact count. */
  released?: ReleasedFigure;
  /** With `--values` or `--platform-values`: the count and each column's figure (docs/measurement.md). */
  aggregates?: Aggregates;
  /** Matched rows, duplicates included, when the intersection is learnt. */
  matched?: number;
  matches?: MatchedRow[];
  output?: string;
  rowsRead: number;
  duplicates: number;
  rejected: number;
  rejectedRows: { line: number; code: string; reason: string }[];
  elapsedMs: number;
  /** Under a policy: where your privacy budget stands after the session (`GET /v1/terms`). */
  budget?: TermsBudget;
  /** With `--audience`: the audience as the service shows it after the session. */
  audience?: MatchAudience;
  /** With `--relationship`: own items not blinded again, their blinded elements kept from earlier sessions. */
  blindedCacheHits?: number;
}

/**
 * Reads the advertiser's file, runs a session against the service and prints
 * what this side learnt; throws (printing nothing on stdout) if the session
 * fails or `stop` aborts it.
 *
 * @example
 * ```ts
 * await matchCommand(opts, processIo());
 * ```
 */
export async function matchCommand(opts: MatchOptions, io: CliIo, stop?: AbortSignal): Promise<MatchReport> {
  const started = performance.now();
  if (opts.values === undefined && opts.valueBound !== undefined) {
    throw new PsiError('OPTIONS_INVALID', '--value-bound clamps your --values columns: give --values too');
  }
  // The identifier flags, checked once here; the readers below take the plan.
  const input = await loadInput(opts.input, resolveInput(opts), io);
  // Values go with rows (a row found by two of its identifiers is one row), so each customer's value is added once.
  const measure = measureOf(opts, input.records?.values ?? input.values);
  const bar = progressBar(io, 'matching', 'frames');
  let result;
  let blindedCache: BlindedCache | undefined;
  try {
    // The secret keeps the key from being a function of the list (which would let the service test guesses offline).
    const keyFile = opts.keyFile ?? defaultKeyFile(opts.server);
    const keySeed = await advertiserSecret(keyFile);
    // A relationship's key is the same in each session: its blinded items are kept for the next one.
    const cachePath =
      opts.relationship === undefined || opts.blindedCache === false ? undefined : blindedCacheFile(keyFile, opts.relationship);
    blindedCache = cachePath === undefined ? undefined : await readBlindedCache(cachePath, (why) => io.err(`${why}\n`));
    result = await matchOverHttp({
      server: opts.server,
      // Several key columns: one row per record, so that figures count rows, not keys.
      ...(input.records === undefined ? { items: input.items } : { rows: input.records.keys }),
      learn: opts.learn,
      peerLearns: opts.peerLearns,
      timeoutMs: opts.timeout,
      retries: opts.retries,
      ...(opts.token === undefined ? {} : { token: opts.token }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.group === undefined ? {} : { group: opts.group }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
      ...(opts.relationship === undefined ? { keySeed } : { relationship: { id: opts.relationship, keySeed, blindedCache } }),
      ...(stop === undefined ? {} : { signal: stop }),
      ...(measure === undefined ? {} : { measure }),
      ...(opts.audience === undefined ? {} : { audience: { name: opts.audience, mode: opts.audienceMode ?? 'replace' } }),
      onProgress: (p) => bar.update(p.framesSent, p.framesKnown),
    });
    if (cachePath !== undefined) await keepBlindedCache(cachePath, blindedCache!, io);
  } finally {
    bar.stop();
  }
  if (result.leftOut !== undefined) {
    io.err(`left out your ${result.leftOut.join(', ')} identifiers: the service does not match on them (GET /v1/terms keyTypes)\n`);
  }
  const matchedRows = input.records?.rows ?? input.rows;
  const matches = result.matches?.map((i) => matchedRows[i]!);
  const columns = input.records?.columns;
  if (matches !== undefined && opts.output !== undefined) await writeFileAtomic(opts.output, matchedRowsCsv(matches, columns));
  const report: MatchReport = {
    server: opts.server,
    sessionId: result.sessionId,
    learn: result.learn,
    peerLearns: result.peerLearns,
    items: input.records === undefined ? input.distinct : result.ownSize,
    peerSize: result.peerSize,
    ...(result.size === undefined ? {} : { size: result.size }),
    ...(result.released === undefined ? {} : { released: result.released }),
    ...(result.aggregates === undefined ? {} : { aggregates: result.aggregates }),
    ...(matches === undefined ? {} : { matched: matches.length }),
    ...(matches === undefined || opts.output !== undefined ? {} : { matches }),
    ...(matches === undefined || opts.output === undefined ? {} : { output: opts.output }),
    rowsRead: input.rowsRead,
    duplicates: input.duplicates,
    rejected: input.rejected.length,
    rejectedRows: input.rejected,
    elapsedMs: Math.round(performance.now() - started),
    ...(result.budget === undefined ? {} : { budget: result.budget }),
    ...(result.audience === undefined ? {} : { audience: result.audience }),
    ...(blindedCache === undefined ? {} : { blindedCacheHits: blindedCache.hits }),
  };
  io.out(opts.json ? `${JSON.stringify(report)}\n` : describe(report));
  return report;
}

/** The `measure` option of the match from the flags, or none when nothing is to be measured. */
function measureOf(opts: MatchOptions, values: Record<string, number[]> | undefined): MatchOverHttpOptions['measure'] {
  if (opts.platformValues === undefined && values === undefined) return undefined;
  const all = opts.platformValues?.length === 1 && opts.platformValues[0] === 'all';
  return {
    platformColumns: all ? 'all' : (opts.platformValues ?? []),
    ...(values === undefined ? {} : { values, ...(opts.valueBound === undefined ? {} : { valueBound: opts.valueBound }) }),
  };
}

/** One figure in words with its noise scale and 95% interval, or "exact". */
function describeFigure(f: Figure): string {
  if (f.epsilon === null) return `${formatInteger(f.value)} (exact)`;
  const spread = f.interval95 === undefined ? '' : `, 95% interval ${formatInteger(f.interval95[0])}..${formatInteger(f.interval95[1])}`;
  return `${describeReleased(f)} (noise scale ${formatInteger(f.scale)}${spread}; ${f.note})`;
}

/** The aggregates block of the human output: the count, then each column. */
function aggregateLines(a: Aggregates): string[] {
  const width = Math.max(8, ...Object.keys(a.columns).map((n) => n.length + 1));
  return [
    '  aggregates over the matched rows:',
    `    ${'count'.padEnd(width)} ${describeFigure(a.count)}`,
    ...Object.entries(a.columns).map(([name, f]) => `    ${`${name}`.padEnd(width)} ${describeFigure(f)}`),
  ];
}

/** The line saying what is in both lists, exact only when it was disclosed exactly. */
function inBoth(r: MatchReport): string {
  const released = r.released;
  if (released !== undefined) {
    const rate = released.rate === undefined ? '' : `, ${released.rate.text} of yours`;
    return `  in both:        ${describeReleased(released)}${rate} (${released.note})`;
  }
  if (r.size === undefined) return '  in both:        not revealed to you';
  return `  in both:        ${r.size.toLocaleString('en-US')} (${r.items === 0 ? 0 : ((100 * r.size) / r.items).toFixed(1)}% of yours)`;
}

/** The audience line of the human output. */
function audienceLine(a: MatchAudience): string {
  const size = a.users === undefined ? '' : a.users === null ? ', size withheld' : `, about ${a.users.toLocaleString('en-US')} users`;
  const usable = a.usable === undefined ? '' : a.usable ? ', usable for targeting' : ', not usable yet (too small)';
  return `  audience:       ${JSON.stringify(a.name)} (${a.mode})${size}${usable}`;
}

/** The budget line of the human output: releases left before matching again. */
function budgetLine(b: TermsBudget): string {
  const next = b.nextCreditAt === null ? '' : `; more from ${b.nextCreditAt}`;
  return `  budget:         ${b.releasesLeft} releases left (${b.remaining} of ${b.budget} epsilon per ${b.window}${next})`;
}

function describe(r: MatchReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `session ${r.sessionId} with ${r.server}: you learn ${r.learn}, the service learns ${r.peerLearns}`,
    `  your items:     ${n(r.items)} distinct (${n(r.rowsRead)} rows, ${n(r.duplicates)} duplicates, ${n(r.rejected)} rejected)`,
    `  service items:  ${n(r.peerSize)} distinct`,
    inBoth(r),
    ...(r.aggregates === undefined ? [] : aggregateLines(r.aggregates)),
  ];
  if (r.output !== undefined) lines.push(`  matched rows:   ${n(r.matched!)} written to ${r.output}`);
  else if (r.matches !== undefined) lines.push(`  matched rows:   ${n(r.matched!)}`, matchedRowsCsv(r.matches).trimEnd());
  if (r.audience !== undefined) lines.push(audienceLine(r.audience));
  if (r.budget !== undefined) lines.push(budgetLine(r.budget));
  lines.push(`  elapsed:        ${(r.elapsedMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

/** Writes the relationship's blinded cache for the next session; a failure only warns, the match stands. */
async function keepBlindedCache(path: string, cache: BlindedCache, io: CliIo): Promise<void> {
  try {
    await writeBlindedCache(path, cache);
  } catch (e) {
    io.err(`could not keep the blinded cache ${path}: ${(e as Error).message}\n`);
  }
}
