import type { CsvRow } from './csv-records.js';
import { IdentifierError } from './errors.js';
import { planIdentifiers, type IdentifierPlan } from './plan.js';
import { keysOfCells, type KeyColumn, type KeyProblem, type RowKey, type RowKeysOptions } from './row-keys.js';
import { RowTableBuilder, type IdentifierRows, type RejectedRow, type RowWarning } from './row-table.js';

/**
 * Data rows between two calls of a reader's `onProgress`.
 *
 * @example
 * ```ts
 * if (rowsRead % PROGRESS_EVERY === 0) opts.onProgress?.(rowsRead);
 * ```
 */
export const PROGRESS_EVERY = 10_000;

/**
 * The index of header `name`: the exact (trimmed) header, else the one header
 * equal to it ignoring case. Throws `CSV_COLUMN_MISSING` naming the headers found.
 *
 * @example
 * ```ts
 * findColumn(['id', 'Email'], 'email'); // 1
 * ```
 */
export function findColumn(header: readonly string[], name: string): number {
  const names = header.map((h) => h.trim());
  const exact = names.indexOf(name.trim());
  if (exact >= 0) return exact;
  const folded = names.flatMap((h, i) => (h.toLowerCase() === name.trim().toLowerCase() ? [i] : []));
  if (folded.length === 1) return folded[0]!;
  const found = names.length === 0 ? 'no header row' : `headers found: ${names.map((h) => JSON.stringify(h)).join(', ')}`;
  throw new IdentifierError('CSV_COLUMN_MISSING', `column ${JSON.stringify(name)} not found (${found})`);
}

/**
 * Checks a data row's width against the header; a ragged row is reported,
 * not guessed at, since its cells may have shifted columns.
 *
 * @example
 * ```ts
 * raggedReason(plan, row); // null when the row is as wide as the header
 * ```
 */
export function raggedReason(plan: { width: number }, row: CsvRow): RejectedRow | null {
  if (row.error !== undefined) return { line: row.line, ...row.error };
  if (row.cells.length === plan.width) return null;
  return { line: row.line, code: 'CSV_RAGGED', reason: `row has ${row.cells.length} fields, the header has ${plan.width}` };
}

/**
 * Options of {@link identifierRows} and {@link readIdentifierRows}: the key
 * columns of each row, the raw columns to keep with each row, and the
 * normalisation options.
 *
 * @example
 * ```ts
 * const opts: ReadRowsOptions = {
 *   columns: [{ name: 'email', type: 'email' }, { names: ['first_name', 'last_name', 'zip'], type: 'name_zip' }],
 *   keep: ['user_id'],
 *   defaultCountry: 'US',
 * };
 * ```
 */
export interface ReadRowsOptions extends RowKeysOptions {
  columns: readonly KeyColumn[];
  /** Columns whose raw cell text is returned with each row (e.g. the platform's `user_id`). */
  keep?: readonly string[];
  /** Called every 10,000 data rows and once at the end with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
}

/**
 * One data row of a multi-key read: its line, the keys that normalised, the
 * keys that did not, the kept cells, and, when no key normalised (or the row
 * is ragged or unreadable), why the row is rejected.
 *
 * @example
 * ```ts
 * const row: IdentifierRow = { line: 2, keys: [], problems: [], kept: [], rejected: { line: 2, code: 'EMPTY', reason: 'every key column is empty' } };
 * ```
 */
export interface IdentifierRow {
  line: number;
  keys: RowKey[];
  problems: KeyProblem[];
  kept: string[];
  rejected?: RejectedRow;
}

/**
 * Checks the `keep` option of a multi-key read: column names, or nothing.
 *
 * @example
 * ```ts
 * checkKeep(['user_id']); // ['user_id']
 * ```
 */
export function checkKeep(keep: unknown): readonly string[] {
  if (keep === undefined) return [];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) {
    throw new IdentifierError('CSV_OPTIONS_INVALID', 'keep must be an array of column names');
  }
  return keep;
}

/**
 * A multi-key read with its options resolved once: the {@link IdentifierPlan}
 * of its key columns, the kept columns, and the progress callback.
 *
 * @example
 * ```ts
 * const read: RowsReadPlan = planRowsRead({ columns: [{ name: 'email', type: 'email' }], keep: ['user_id'] });
 * ```
 */
export interface RowsReadPlan {
  readonly identifiers: IdentifierPlan;
  readonly keep: readonly string[];
  readonly onProgress?: ((rowsRead: number) => void) | undefined;
}

/**
 * Resolves {@link ReadRowsOptions} into a {@link RowsReadPlan}: the key
 * columns and normalisation options (`CSV_OPTIONS_INVALID` for the columns'
 * shape), then `keep`. The public readers call it once at their boundary.
 *
 * @example
 * ```ts
 * planRowsRead({ columns: [{ name: 'email', type: 'email' }], profile: 'google' }).identifiers.rules.profile; // 'google'
 * ```
 */
export function planRowsRead(opts: ReadRowsOptions): RowsReadPlan {
  const identifiers = planIdentifiers(opts?.columns, opts, 'CSV_OPTIONS_INVALID');
  return Object.freeze({ identifiers, keep: Object.freeze([...checkKeep(opts.keep)]), onProgress: opts.onProgress });
}

/** Why a row whose cells gave no key is rejected: the first key's problem, or all empty. */
function rowRejection(line: number, problems: readonly KeyProblem[]): RejectedRow {
  if (problems.length === 0) return { line, code: 'EMPTY', reason: 'every key column is empty' };
  return { line, code: problems[0]!.code, reason: `no key normalises: ${problems.map((p) => p.reason).join('; ')}` };
}

/**
 * The rows of {@link identifierRows} from CSV records already numbered (by
 * `numberedRows`), whatever reads them: the Node reader's file streams and
 * the browser page's chunks give the same rows, rejections and line numbers.
 * The options come resolved ({@link planRowsRead}); nothing is checked again.
 *
 * @example
 * ```ts
 * for await (const row of identifierRowsOf(numberedRows(records), planRowsRead({ columns: [{ name: 'email', type: 'email' }] }))) use(row);
 * ```
 */
export async function* identifierRowsOf(rows: AsyncIterable<CsvRow>, read: RowsReadPlan): AsyncGenerator<IdentifierRow> {
  const { identifiers: plan, keep, onProgress } = read;
  let resolved: { width: number; cells: number[][]; kept: number[] } | undefined;
  let rowsRead = 0;
  for await (const row of rows) {
    if (resolved === undefined && row.error === undefined) {
      resolved = {
        width: row.cells.length,
        cells: plan.keys.map((c) => c.names.map((n) => findColumn(row.cells, n))),
        kept: keep.map((n) => findColumn(row.cells, n)),
      };
      continue;
    }
    if (resolved === undefined) break;
    rowsRead++;
    if (rowsRead % PROGRESS_EVERY === 0) onProgress?.(rowsRead);
    const ragged = raggedReason(resolved, row);
    if (ragged !== null) {
      yield { line: row.line, keys: [], problems: [], kept: [], rejected: ragged };
      continue;
    }
    const { keys, problems } = keysOfCells(plan, (i) => resolved!.cells[i]!.map((at) => row.cells[at]));
    const kept = resolved.kept.map((at) => row.cells[at]!);
    yield keys.length > 0
      ? { line: row.line, keys, problems, kept }
      : { line: row.line, keys, problems, kept, rejected: rowRejection(row.line, problems) };
  }
  if (resolved === undefined) {
    throw new IdentifierError(
      'CSV_COLUMN_MISSING',
      `column ${JSON.stringify(plan.keys[0]!.names[0])} not found (the file has no header row)`,
    );
  }
  onProgress?.(rowsRead);
}

/**
 * The {@link IdentifierRows} table of numbered CSV records, as
 * `readIdentifierRows` builds it from a file: what the Node reader and the
 * browser page both match on. The options come resolved ({@link planRowsRead}).
 *
 * @example
 * ```ts
 * const table = await identifierTableOf(numberedRows(records), planRowsRead({ columns: [{ name: 'email', type: 'email' }] }));
 * table.item(0); // the first key's PSI item
 * ```
 */
export async function identifierTableOf(rows: AsyncIterable<CsvRow>, read: RowsReadPlan): Promise<IdentifierRows> {
  const { keys } = read.identifiers;
  const table = new RowTableBuilder(
    keys.map((c) => c.label),
    keys.map((c) => c.itemType),
    read.keep,
  );
  const rejected: RejectedRow[] = [];
  const warnings: RowWarning[] = [];
  let rowsRead = 0;
  for await (const row of identifierRowsOf(rows, read)) {
    rowsRead++;
    if (row.rejected !== undefined) {
      rejected.push(row.rejected);
      continue;
    }
    table.add(row.line, row.keys, row.kept);
    for (const p of row.problems) warnings.push({ line: row.line, ...p });
  }
  return table.finish(rowsRead, rejected, warnings);
}
