import type { KeyColumn } from '../identifiers/row-keys.js';
import type { RejectedRow, RowWarning } from '../identifiers/row-table.js';
import type { Profile } from '../identifiers/types.js';
import type { MatchOverHttpResult } from '../transport/client.js';
import type { ColumnCheck, ColumnRole } from './columns.js';
import type { FileLayout } from './read-file.js';

/**
 * How the worker reads a file's identifiers: the key columns, the
 * normalisation rules, the country of phone numbers written without one, the
 * column giving each row's country, and the key types the service matches on.
 *
 * @example
 * ```ts
 * const opts: PrepareOptions = { columns: [{ name: 'Phone', type: 'phone' }], profile: 'meta', defaultCountry: 'US', countryColumn: 'Country' };
 * ```
 */
export interface PrepareOptions {
  columns: KeyColumn[];
  profile: Profile;
  defaultCountry?: string;
  countryColumn?: string;
  keyTypes?: string[];
  /** Own amount columns to sum over the matched customers, under encryption. */
  valueColumns?: string[];
}

/**
 * What the page asks of its worker: the layout and sample rows of a file
 * (`inspect`, with a separator or sheet to override the detected one), the
 * counts of its identifiers (`prepare`), a whole match (`run`), or to stop.
 *
 * @example
 * ```ts
 * worker.postMessage({ type: 'inspect', file } satisfies ToWorker);
 * ```
 */
export type ToWorker =
  | { type: 'inspect'; file: Blob; separator?: string; sheet?: string; profile: Profile; defaultCountry: string }
  | { type: 'prepare'; file: Blob; layout: FileLayout; options: PrepareOptions }
  | {
      type: 'run';
      file: Blob;
      layout: FileLayout;
      options: PrepareOptions;
      server: string;
      token?: string;
      audience?: { name: string; mode?: 'replace' | 'add' | 'remove' };
      /** Ask the platform for the sums of every value column its terms list. */
      platformSums?: boolean;
    }
  | { type: 'cancel' };

/**
 * One key column's identifiers: how many normalised and how many were
 * refused, and whether the service matches on its type at all.
 *
 * @example
 * ```ts
 * const c: ColumnCount = { label: 'E-mail Address', type: 'email', valid: 4950, refused: 50, matched: true };
 * ```
 */
export interface ColumnCount {
  label: string;
  type: string;
  valid: number;
  refused: number;
  /** False when the service's terms do not list the type: those identifiers are left out. */
  matched: boolean;
}

/**
 * What was read from the file, in rows that add up:
 * `rowsRead = customers + duplicateRows + rejectedCount + unmatchedRows`.
 * The rejected rows and refused identifiers listed are the first
 * {@link SHOWN_ROWS} of each; the counts are whole.
 *
 * @example
 * ```ts
 * const s: ReadSummary = { rowsRead: 3, customers: 2, duplicateRows: 0, rejectedCount: 1, unmatchedRows: 0, columns: [], reasons: { EMPTY: 1 }, rejected: [], warnings: [], warningCount: 0 };
 * ```
 */
export interface ReadSummary {
  /** Data rows of the file (header and blank lines not counted). */
  rowsRead: number;
  /** Distinct rows with an identifier the service matches on: what is sent, and what figures count. */
  customers: number;
  /** Rows whose identifiers are exactly those of an earlier row. */
  duplicateRows: number;
  /** Rows with no identifier that normalises. */
  rejectedCount: number;
  /** Rows whose only identifiers are of types the service does not match on. */
  unmatchedRows: number;
  columns: ColumnCount[];
  /** Rows left out (`rejectedCount`), by the code of their first problem. */
  reasons: Record<string, number>;
  rejected: RejectedRow[];
  warnings: RowWarning[];
  warningCount: number;
}

/**
 * How many rejected rows (and refused identifiers) the worker hands the page:
 * enough to see what is wrong with a file, not a second copy of it.
 *
 * @example
 * ```ts
 * rejected.slice(0, SHOWN_ROWS);
 * ```
 */
export const SHOWN_ROWS = 1000;

/**
 * The phases of a match, in order, as the page lists them.
 *
 * @example
 * ```ts
 * const phase: Phase = 'blinding';
 * ```
 */
export type Phase = 'reading' | 'normalising' | 'blinding' | 'sending' | 'waiting' | 'receiving';

/**
 * The blinding workers a match ran on: how many the page's worker starts (0: it
 * blinds on its own thread) and how many answered a piece so far.
 *
 * @example
 * ```ts
 * const use: BlindingUse = { workers: 2, used: 2 };
 * ```
 */
export interface BlindingUse {
  workers: number;
  used: number;
}

/**
 * What the worker tells the page: `inspected` after `inspect`; `progress`
 * and `prepared` after `prepare`; `progress`, `prepared`, then `done` or
 * `failed` after `run`.
 *
 * @example
 * ```ts
 * worker.onmessage = (e: MessageEvent<FromWorker>) => render(e.data);
 * ```
 */
export type FromWorker =
  | { type: 'inspected'; layout: FileLayout; header: string[]; samples: string[][]; roles: (ColumnRole | null)[]; checks: ColumnCheck[] }
  | { type: 'progress'; phase: Phase; done: number; total?: number; keys?: number }
  | { type: 'prepared'; summary: ReadSummary }
  | { type: 'done'; result: MatchOverHttpResult; keySeedKept: boolean; blinding: BlindingUse }
  | { type: 'failed'; code: string; message: string; stage: 'inspect' | 'prepare' | 'run' };
