import type { KeyColumn } from '../identifiers/row-keys.js';
import type { RejectedRow, RowWarning } from '../identifiers/row-table.js';
import type { Profile } from '../identifiers/types.js';
import type { MatchOverHttpResult } from '../transport/client.js';

/**
 * What the page asks of its worker: the header and sample rows of a file,
 * a whole match, or to stop the match in progress.
 *
 * @example
 * ```ts
 * worker.postMessage({ type: 'inspect', file } satisfies ToWorker);
 * ```
 */
export type ToWorker =
  | { type: 'inspect'; file: Blob }
  | { type: 'run'; file: Blob; columns: KeyColumn[]; profile: Profile; defaultCountry?: string; server: string; token?: string }
  | { type: 'cancel' };

/**
 * What was read from the file: counts, and the rejected rows and refused
 * identifiers (the first {@link SHOWN_ROWS} of each; the counts are whole).
 *
 * @example
 * ```ts
 * const s: ReadSummary = { rowsRead: 3, accepted: 2, distinct: 2, duplicates: 0, rejected: [], rejectedCount: 1, warnings: [], warningCount: 0 };
 * ```
 */
export interface ReadSummary {
  rowsRead: number;
  /** Rows with at least one identifier that normalised. */
  accepted: number;
  /** Distinct identifiers, the items blinded and sent. */
  distinct: number;
  duplicates: number;
  rejected: RejectedRow[];
  rejectedCount: number;
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
 * What the worker tells the page, in order: `inspected` after `inspect`;
 * `progress`, `read`, then `done` or `failed` after `run`.
 *
 * @example
 * ```ts
 * worker.onmessage = (e: MessageEvent<FromWorker>) => render(e.data);
 * ```
 */
export type FromWorker =
  | { type: 'inspected'; header: string[]; samples: string[][] }
  | { type: 'progress'; phase: 'reading' | 'matching'; done: number; total: number }
  | { type: 'read'; summary: ReadSummary }
  | { type: 'done'; result: MatchOverHttpResult }
  | { type: 'failed'; code: string; message: string };
