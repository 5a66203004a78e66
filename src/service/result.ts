import type { Figure } from '../wire/figure.js';
import type { ReleasedFigure } from '../wire/release.js';
import type { Reveal } from '../wire/reveal.js';

/**
 * One of the service's own input rows that matched: its line in the input file
 * and its identifier as written there.
 *
 * @example
 * ```ts
 * const row: MatchedRow = { line: 42, value: 'Ann@Example.com' };
 * ```
 */
export interface MatchedRow {
  line: number;
  value: string;
  /** The row's emitted columns (`serve --emit`), in the order of the summary's `columns`. */
  cells?: string[];
}

/**
 * What one finished session produced on the service side. Holds no token and no
 * key: `tokenId` is the public name from the tokens file.
 *
 * @example
 * ```ts
 * const summary: SessionSummary = {
 *   sessionId: '0f…', tokenId: 'acme', learn: 'intersection', peerLearns: 'size',
 *   items: 49_200, rows: 50_000, peerSize: 10_000, size: 2_500, matched: 2_500,
 *   startedAt: '2025-01-01T12:00:00.000Z', finishedAt: '2025-01-01T12:00:09.000Z', durationMs: 9000,
 * };
 * ```
 */
export interface SessionSummary {
  /** Hex session id chosen by the client. */
  sessionId: string;
  /** Name of the token the client used (`'anonymous'` without a tokens file). */
  tokenId: string;
  /** What the service learnt. */
  learn: Reveal;
  /** What the client learnt. */
  peerLearns: Reveal;
  /** The service's distinct items, as in every report. */
  items: number;
  /** The service's input rows, duplicates included. */
  rows: number;
  /** The client's number of distinct items. */
  peerSize: number;
  /** Distinct own items in the intersection; present unless `learn` is `'none'`. */
  size?: number;
  /** Matched own rows, duplicates included; present when `learn` is `'intersection'`. */
  matched?: number;
  /** The figure released to the client under the disclosure policy (never more than the client saw). */
  released?: ReleasedFigure;
  /** The service's value columns as released to the client (`serve --values`), when the client asked for them. */
  aggregates?: Record<string, Figure>;
  /** Names of the client's encrypted value columns the service summed without seeing a value. */
  encryptedColumns?: string[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** File name (in the output directory) of the matched rows, when written. */
  rowsFile?: string;
  /** Header of the columns written for each matched row after `line` (`--emit`); default `value`. */
  columns?: string[];
}

/**
 * A finished session as handed to an embedding application's `onResult`.
 *
 * @example
 * ```ts
 * const onResult = ({ summary, rows }: SessionResult) => audience.add(rows ?? []);
 * ```
 */
export interface SessionResult {
  summary: SessionSummary;
  /** Matched own rows; present when the service learns `'intersection'`. */
  rows?: MatchedRow[];
}

/**
 * One CSV field, quoted where needed (a comma, quote or line break, or edge spaces).
 *
 * @example
 * ```ts
 * csvField('a,b'); // '"a,b"'
 * ```
 */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Matched rows as CSV with a `line,value` header, values quoted where needed.
 *
 * @example
 * ```ts
 * matchedRowsCsv([{ line: 2, value: 'ann@example.com' }]); // 'line,value\n2,ann@example.com\n'
 * matchedRowsCsv([{ line: 2, value: 'u1', cells: ['u1'] }], ['user_id']); // 'line,user_id\n2,u1\n'
 * ```
 */
export function matchedRowsCsv(rows: readonly MatchedRow[], columns?: readonly string[]): string {
  if (columns === undefined) return `line,value\n${rows.map((r) => `${r.line},${csvField(r.value)}\n`).join('')}`;
  const line = (r: MatchedRow) => [String(r.line), ...(r.cells ?? [r.value]).map(csvField)].join(',');
  return `${['line', ...columns].map(csvField).join(',')}\n${rows.map((r) => `${line(r)}\n`).join('')}`;
}
