import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PsiError } from '../errors.js';
import type { Reveal } from '../protocol/reveal.js';
import { writeFileAtomic } from './atomic-file.js';

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
}

/**
 * What one finished session produced on the service side. Holds no token and no
 * key: `tokenId` is the public name from the tokens file.
 *
 * @example
 * ```ts
 * const summary: SessionSummary = {
 *   sessionId: '0f…', tokenId: 'acme', learn: 'intersection', peerLearns: 'size',
 *   items: 50_000, peerSize: 10_000, size: 2_500, matched: 2_500,
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
  /** The service's own items, duplicates included. */
  items: number;
  /** The client's number of distinct items. */
  peerSize: number;
  /** Distinct own items in the intersection; present unless `learn` is `'none'`. */
  size?: number;
  /** Matched own rows, duplicates included; present when `learn` is `'intersection'`. */
  matched?: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** File name (in the output directory) of the matched rows, when written. */
  rowsFile?: string;
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

function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Matched rows as CSV with a `line,value` header, values quoted where needed.
 *
 * @example
 * ```ts
 * matchedRowsCsv([{ line: 2, value: 'ann@example.com' }]); // 'line,value\n2,ann@example.com\n'
 * ```
 */
export function matchedRowsCsv(rows: readonly MatchedRow[]): string {
  return `line,value\n${rows.map((r) => `${r.line},${csvField(r.value)}\n`).join('')}`;
}

/**
 * Writes a session's result into `dir`: `<stamp>-<session>.matches.csv`
 * (`line,value`, when rows were learnt) and then `<stamp>-<session>.summary.json`.
 * Each file appears atomically, and the summary last, so a summary's presence
 * means its session's result is complete. Returns the summary's path.
 *
 * @example
 * ```ts
 * const path = await writeSessionResult('results', { summary, rows });
 * ```
 */
export async function writeSessionResult(dir: string, result: SessionResult): Promise<string> {
  const { summary, rows } = result;
  const stamp = summary.finishedAt.replace(/[-:.]/g, '');
  const base = `${stamp}-${summary.sessionId}`;
  try {
    await mkdir(dir, { recursive: true });
    let written = summary;
    if (rows !== undefined) {
      const rowsFile = `${base}.matches.csv`;
      await writeFileAtomic(join(dir, rowsFile), matchedRowsCsv(rows));
      written = { ...summary, rowsFile };
    }
    const path = join(dir, `${base}.summary.json`);
    await writeFileAtomic(path, `${JSON.stringify(written, null, 2)}\n`);
    return path;
  } catch (e) {
    throw new PsiError('RESULT_WRITE_FAILED', `cannot write session result to ${dir}: ${(e as Error).message}`, { cause: e });
  }
}
