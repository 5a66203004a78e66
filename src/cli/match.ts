import { PsiError } from '../errors.js';
import { relationshipKey } from '../store/relationship-key.js';
import { describeReleased } from '../disclosure/release.js';
import type { ReleasedFigure } from '../wire/release.js';
import type { Reveal } from '../wire/reveal.js';
import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { writeFileAtomic } from '../atomic-file.js';
import { matchOverHttp } from '../transport/match-over-http.js';
import { matchedRowsCsv, type MatchedRow } from '../service/result.js';
import { loadInput, type InputSpec } from './input.js';
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
  token?: string;
  /** `'auto'` takes what the service's terms offer. */
  learn: Reveal | 'auto';
  peerLearns: Reveal | 'auto';
  json: boolean;
  /** File receiving the matched rows when this side learns the intersection. */
  output?: string;
  timeout: number;
  retries: number;
  workers?: number;
  /** Group suite (`--group`); default x25519. */
  group?: GroupName;
  /** Arithmetic backend (`--backend`); default auto. */
  backend?: BackendChoice;
  /** Keep a relationship key here (created 0600 if missing) so that the service can skip unchanged data next time. */
  keyFile?: string;
  /** The relationship's name with this service (default `default`); only with `keyFile`. */
  relationship?: string;
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
  /** Matched rows, duplicates included, when the intersection is learnt. */
  matched?: number;
  matches?: MatchedRow[];
  output?: string;
  rowsRead: number;
  duplicates: number;
  rejected: number;
  rejectedRows: { line: number; code: string; reason: string }[];
  elapsedMs: number;
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
  const input = await loadInput(opts, io);
  const bar = progressBar(io, 'matching', 'frames');
  let result;
  try {
    if (opts.relationship !== undefined && opts.keyFile === undefined) {
      throw new PsiError('OPTIONS_INVALID', '--relationship names the relationship of a --key-file: give both');
    }
    result = await matchOverHttp({
      server: opts.server,
      items: input.items,
      learn: opts.learn,
      peerLearns: opts.peerLearns,
      timeoutMs: opts.timeout,
      retries: opts.retries,
      ...(opts.token === undefined ? {} : { token: opts.token }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.group === undefined ? {} : { group: opts.group }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
      ...(opts.keyFile === undefined
        ? {}
        : { relationship: { id: opts.relationship ?? 'default', keySeed: await relationshipKey(opts.keyFile) } }),
      ...(stop === undefined ? {} : { signal: stop }),
      onProgress: (p) => bar.update(p.framesSent, p.framesKnown),
    });
  } finally {
    bar.stop();
  }
  // A row found by several of its identifiers is one matched row.
  const seen = new Set<number>();
  const matches = result.matches?.map((i) => input.rows[i]!).filter((row) => !seen.has(row.line) && seen.add(row.line));
  const columns = opts.column.includes(',') ? opts.column.split(',').map((c) => c.trim()) : undefined;
  if (matches !== undefined && opts.output !== undefined) await writeFileAtomic(opts.output, matchedRowsCsv(matches, columns));
  const report: MatchReport = {
    server: opts.server,
    sessionId: result.sessionId,
    learn: result.learn,
    peerLearns: result.peerLearns,
    items: input.distinct,
    peerSize: result.peerSize,
    ...(result.size === undefined ? {} : { size: result.size }),
    ...(result.released === undefined ? {} : { released: result.released }),
    ...(matches === undefined ? {} : { matched: matches.length }),
    ...(matches === undefined || opts.output !== undefined ? {} : { matches }),
    ...(matches === undefined || opts.output === undefined ? {} : { output: opts.output }),
    rowsRead: input.rowsRead,
    duplicates: input.duplicates,
    rejected: input.rejected.length,
    rejectedRows: input.rejected,
    elapsedMs: Math.round(performance.now() - started),
  };
  io.out(opts.json ? `${JSON.stringify(report)}\n` : describe(report));
  return report;
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

function describe(r: MatchReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `session ${r.sessionId} with ${r.server}: you learn ${r.learn}, the service learns ${r.peerLearns}`,
    `  your items:     ${n(r.items)} distinct (${n(r.rowsRead)} rows, ${n(r.duplicates)} duplicates, ${n(r.rejected)} rejected)`,
    `  service items:  ${n(r.peerSize)} distinct`,
    inBoth(r),
  ];
  if (r.output !== undefined) lines.push(`  matched rows:   ${n(r.matched!)} written to ${r.output}`);
  else if (r.matches !== undefined) lines.push(`  matched rows:   ${n(r.matched!)}`, matchedRowsCsv(r.matches).trimEnd());
  lines.push(`  elapsed:        ${(r.elapsedMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}
