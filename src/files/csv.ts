import { csvRows } from './csv-rows.js';
import { IdentifierError } from '../identifiers/errors.js';
import {
  findColumn,
  identifierRowsOf,
  identifierTableOf,
  planRowsRead,
  PROGRESS_EVERY,
  raggedReason,
  type IdentifierRow,
  type ReadRowsOptions,
  type RowsReadPlan,
} from '../identifiers/identifier-rows.js';
import { keyItem } from '../identifiers/item.js';
import { checkType } from '../identifiers/checks.js';
import { resolveRules, type NormalizeRules } from '../identifiers/plan.js';
import type { IdentifierRows, RejectedRow } from '../identifiers/row-table.js';
import type { IdentifierType, Profile } from '../identifiers/types.js';

export type { RejectedRow } from '../identifiers/row-table.js';
export { planRowsRead, raggedReason, type IdentifierRow, type ReadRowsOptions, type RowsReadPlan } from '../identifiers/identifier-rows.js';

/**
 * A header name and what its cells hold: an identifier type, `'sha256'`
 * (64-hex SHA-256 of a normalised identifier of type `hashOf`) or `'raw'`
 * (the trimmed cell text as UTF-8 item bytes, no normalisation).
 *
 * @example
 * ```ts
 * const col: TypedColumn = { name: 'Email', type: 'email' };
 * ```
 */
export interface TypedColumn {
  name: string;
  type: IdentifierType | 'sha256' | 'raw';
}

/**
 * Options of {@link readIdentifierColumn}: one column (`column` + `type`) or
 * several (`columns`, one item per non-empty typed cell).
 *
 * @example
 * ```ts
 * const opts: ReadColumnOptions = { column: 'phone', type: 'phone', defaultCountry: 'US' };
 * ```
 */
export interface ReadColumnOptions {
  column?: string;
  type?: IdentifierType | 'sha256' | 'raw';
  columns?: readonly TypedColumn[];
  profile?: Profile | undefined;
  defaultCountry?: string | undefined;
  hashOf?: IdentifierType | undefined;
  /** Called every 10,000 data rows and once at the end with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
}

/**
 * The items of a CSV column, ready for the PSI protocol, and an account of
 * every row.
 *
 * @example
 * ```ts
 * const { items, lines, rejected } = await readIdentifierColumn('crm.csv', { column: 'email', type: 'email' });
 * ```
 */
export interface IdentifierColumn {
  /** psiItem() of each valid cell, in file order; duplicates kept so indices map to rows. */
  items: Uint8Array[];
  /** 1-based physical line of each item's row. */
  lines: number[];
  /** Raw cell text of each item, for writing out matched rows. */
  values: string[];
  /** Data rows read (header and blank lines not counted). */
  rowsRead: number;
  /** Items whose bytes equal an earlier item's. */
  duplicates: number;
  /** Every row (or cell) that failed; nothing is dropped silently. */
  rejected: RejectedRow[];
}

const utf8 = new TextEncoder();

/**
 * {@link ReadColumnOptions} resolved once, before any row: the typed
 * columns, whether it is a single-column read, the normalisation rules and
 * the type `'sha256'` cells are the hash of.
 *
 * @example
 * ```ts
 * const read: ColumnsReadPlan = planColumnsRead({ column: 'email', type: 'email', profile: 'google' });
 * ```
 */
export interface ColumnsReadPlan {
  readonly columns: readonly TypedColumn[];
  readonly single: boolean;
  readonly rules: NormalizeRules;
  readonly hashOf: IdentifierType;
  readonly onProgress?: ((rowsRead: number) => void) | undefined;
}

/**
 * Column positions resolved against a header, with the read's plan.
 *
 * @example
 * ```ts
 * const plan: ColumnPlan = planColumns(['id', 'email'], planColumnsRead({ column: 'email', type: 'email' }));
 * plan.columns[0]!.index; // 1
 * ```
 */
export interface ColumnPlan {
  columns: { name: string; index: number; type: TypedColumn['type'] }[];
  width: number;
  read: ColumnsReadPlan;
}

function checkColumns(opts: ReadColumnOptions): readonly TypedColumn[] {
  if ((opts.columns === undefined) === (opts.column === undefined)) {
    throw new IdentifierError('CSV_OPTIONS_INVALID', 'give either column (with type) or columns');
  }
  if (opts.column !== undefined && opts.type === undefined)
    throw new IdentifierError('CSV_OPTIONS_INVALID', 'type is required with column');
  const columns = opts.columns ?? [{ name: opts.column!, type: opts.type! }];
  if (columns.length === 0) throw new IdentifierError('CSV_OPTIONS_INVALID', 'columns is empty');
  for (const c of columns) {
    if (typeof c.name !== 'string') throw new IdentifierError('CSV_OPTIONS_INVALID', 'column names must be strings');
    if (c.type !== 'sha256' && c.type !== 'raw') checkType(c.type);
  }
  return columns;
}

/**
 * Checks the options of a column read once: the columns and their types,
 * then the profile, the default country and `hashOf`. Shared by
 * {@link readIdentifierColumn} and the hash-file writer.
 *
 * @example
 * ```ts
 * planColumnsRead({ column: 'phone', type: 'phone', defaultCountry: 'us' }).rules.defaultCountry; // 'US'
 * ```
 */
export function planColumnsRead(opts: ReadColumnOptions): ColumnsReadPlan {
  const columns = checkColumns(opts);
  const rules = resolveRules(opts);
  const hashOf = checkType(opts.hashOf ?? 'email');
  return Object.freeze({
    columns: Object.freeze(columns.map((c) => Object.freeze({ name: c.name, type: c.type }))),
    single: opts.columns === undefined,
    rules,
    hashOf,
    onProgress: opts.onProgress,
  });
}

/**
 * Resolves the planned columns against the header row (`CSV_COLUMN_MISSING`
 * when a column is not there, or there is no header).
 *
 * @example
 * ```ts
 * const plan = planColumns(['email'], planColumnsRead({ column: 'email', type: 'email' }));
 * ```
 */
export function planColumns(header: readonly string[] | undefined, read: ColumnsReadPlan): ColumnPlan {
  if (header === undefined) {
    throw new IdentifierError(
      'CSV_COLUMN_MISSING',
      `column ${JSON.stringify(read.columns[0]!.name)} not found (the file has no header row)`,
    );
  }
  return {
    columns: read.columns.map((c) => ({ name: c.name, index: findColumn(header, c.name), type: c.type })),
    width: header.length,
    read,
  };
}

/** The item of one non-empty cell of a planned column: raw text as UTF-8, else the identifier's PSI item. */
function columnItem(plan: ColumnPlan, type: TypedColumn['type'], cell: string): Uint8Array {
  if (type === 'raw') return utf8.encode(cell.trim());
  return keyItem({ type, itemType: type === 'sha256' ? plan.read.hashOf : type }, cell, plan.read.rules);
}

/**
 * Outcome of one cell: its item, or why it has none (`null` for an empty
 * cell, which only a single-column read treats as an error).
 *
 * @example
 * ```ts
 * const r = cellItem(plan, plan.columns[0]!, 'jane@example.com');
 * ```
 */
export function cellItem(
  plan: ColumnPlan,
  column: ColumnPlan['columns'][number],
  cell: string,
): Uint8Array | { code: string; reason: string } | null {
  if (cell.trim() === '') return null;
  if (cell.includes('\uFFFD')) return { code: 'ENCODING_INVALID', reason: `column ${JSON.stringify(column.name)} is not valid UTF-8` };
  try {
    return columnItem(plan, column.type, cell);
  } catch (e) {
    if (e instanceof IdentifierError) return { code: e.code, reason: `column ${JSON.stringify(column.name)}: ${e.message}` };
    throw e;
  }
}

/** Key of an item for duplicate detection: its bytes as a one-byte-per-character string. */
function itemKey(item: Uint8Array): string {
  return Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('latin1');
}

/**
 * One data row of {@link identifierColumnRows}: its line, the items its typed
 * cells gave (each with the cell as written), and what it refused.
 *
 * @example
 * ```ts
 * const row: ColumnRow = { line: 2, items: [{ item: psiItem('email', 'a@b.com'), cell: 'a@b.com' }], rejected: [] };
 * ```
 */
export interface ColumnRow {
  line: number;
  items: { item: Uint8Array; cell: string }[];
  rejected: RejectedRow[];
}

/**
 * Streams one identifier column (or several typed columns) of a CSV file row
 * by row, holding nothing but the current record: what
 * {@link readIdentifierColumn} collects, for readers that must not hold the
 * file (`prepare` of 10^7 users). The rules are those of `readIdentifierColumn`.
 *
 * @example
 * ```ts
 * for await (const row of identifierColumnRows('users.csv', { column: 'email', type: 'email' })) store(row.items);
 * ```
 */
export async function* identifierColumnRows(input: string | NodeJS.ReadableStream, opts: ReadColumnOptions): AsyncGenerator<ColumnRow> {
  yield* plannedColumnRows(input, planColumnsRead(opts));
}

/**
 * {@link identifierColumnRows} with its options resolved ({@link planColumnsRead}):
 * what a caller that resolved them at its own boundary (the CLI) streams.
 *
 * @example
 * ```ts
 * for await (const row of plannedColumnRows('users.csv', planColumnsRead({ column: 'email', type: 'email' }))) store(row.items);
 * ```
 */
export async function* plannedColumnRows(input: string | NodeJS.ReadableStream, read: ColumnsReadPlan): AsyncGenerator<ColumnRow> {
  const { single, onProgress } = read;
  let plan: ColumnPlan | undefined;
  let rowsRead = 0;
  for await (const row of csvRows(input)) {
    if (plan === undefined && row.error === undefined) {
      plan = planColumns(row.cells, read);
      continue;
    }
    plan ??= planColumns(undefined, read);
    rowsRead++;
    if (rowsRead % PROGRESS_EVERY === 0) onProgress?.(rowsRead);
    const out: ColumnRow = { line: row.line, items: [], rejected: [] };
    const ragged = raggedReason(plan, row);
    if (ragged !== null) {
      out.rejected.push(ragged);
      yield out;
      continue;
    }
    let produced = false;
    for (const column of plan.columns) {
      const cell = row.cells[column.index]!;
      const result = cellItem(plan, column, cell);
      if (result === null) {
        if (single) out.rejected.push({ line: row.line, code: 'EMPTY', reason: `column ${JSON.stringify(column.name)} is empty` });
        continue;
      }
      produced = true;
      if (result instanceof Uint8Array) out.items.push({ item: result, cell });
      else out.rejected.push({ line: row.line, ...result });
    }
    if (!single && !produced) out.rejected.push({ line: row.line, code: 'EMPTY', reason: 'every typed column is empty' });
    yield out;
  }
  if (plan === undefined) planColumns(undefined, read);
  onProgress?.(rowsRead);
}

/**
 * Reads one identifier column (or several typed columns) of a CSV file
 * without loading the file: it streams through csv-parse and keeps only the
 * resulting items. Every data row is accounted for: it yields an item or a
 * {@link RejectedRow} with its physical line number and a code (`EMPTY`,
 * `CSV_RAGGED`, `ENCODING_INVALID`, or the normaliser's, e.g.
 * `EMAIL_INVALID`). A missing column throws `CSV_COLUMN_MISSING` naming the
 * headers found.
 *
 * @example
 * ```ts
 * const col = await readIdentifierColumn('crm.csv', { column: 'Email', type: 'email', profile: 'google' });
 * console.log(`${col.items.length} items, ${col.rejected.length} rejected, ${col.duplicates} duplicates`);
 * ```
 */
export async function readIdentifierColumn(input: string | NodeJS.ReadableStream, opts: ReadColumnOptions): Promise<IdentifierColumn> {
  return readPlannedColumn(input, planColumnsRead(opts));
}

/**
 * {@link readIdentifierColumn} with its options resolved ({@link planColumnsRead}).
 *
 * @example
 * ```ts
 * const col = await readPlannedColumn(stream, planColumnsRead({ column: 'email', type: 'email' }));
 * ```
 */
export async function readPlannedColumn(input: string | NodeJS.ReadableStream, read: ColumnsReadPlan): Promise<IdentifierColumn> {
  const out: IdentifierColumn = { items: [], lines: [], values: [], rowsRead: 0, duplicates: 0, rejected: [] };
  const seen = new Set<string>();
  for await (const row of plannedColumnRows(input, read)) {
    out.rowsRead++;
    out.rejected.push(...row.rejected);
    for (const { item, cell } of row.items) {
      const key = itemKey(item);
      if (seen.has(key)) out.duplicates++;
      else seen.add(key);
      out.items.push(item);
      out.lines.push(row.line);
      out.values.push(cell);
    }
  }
  return out;
}

/**
 * Streams the rows of a CSV file with several identifiers per row, one
 * {@link IdentifierRow} per data row, in file order, holding nothing but the
 * current record. Each key column gives at most one key; a row is rejected
 * only when none of its keys normalises (a bad phone next to a good email
 * keeps the email and reports the phone in `problems`). Header matching, line
 * numbers, byte-order marks, quoting and ragged rows are as in
 * {@link readIdentifierColumn}. `'raw'` columns are not keys here: keep them
 * with `keep`, or read them as `external_id`.
 *
 * @example
 * ```ts
 * for await (const row of identifierRows('crm.csv', { columns: [{ name: 'email', type: 'email' }, { name: 'phone', type: 'phone' }], defaultCountry: 'US' })) {
 *   if (row.rejected) console.warn(row.rejected);
 *   else send(row.keys.map((k) => k.item));
 * }
 * ```
 */
export async function* identifierRows(input: string | NodeJS.ReadableStream, opts: ReadRowsOptions): AsyncGenerator<IdentifierRow> {
  yield* plannedRows(input, planRowsRead(opts));
}

/**
 * {@link identifierRows} with its options resolved ({@link planRowsRead}):
 * what a caller that resolved them at its own boundary (the CLI) streams.
 *
 * @example
 * ```ts
 * for await (const row of plannedRows('crm.csv', planRowsRead({ columns: [{ name: 'email', type: 'email' }] }))) send(row.keys);
 * ```
 */
export async function* plannedRows(input: string | NodeJS.ReadableStream, read: RowsReadPlan): AsyncGenerator<IdentifierRow> {
  yield* identifierRowsOf(csvRows(input), read);
}

/**
 * Reads a CSV file with several identifiers per row into a compact
 * {@link IdentifierRows} table (typed arrays and 32-byte digests, sized for
 * 10^7 rows): the line, keys and kept cells of every accepted row, the
 * problems of keys that failed in accepted rows as `warnings` with their
 * line, and every rejected row. See {@link identifierRows} for the rules.
 *
 * @example
 * ```ts
 * const rows = await readIdentifierRows(stream, {
 *   columns: [
 *     { name: 'email', type: 'email' },
 *     { name: 'phone', type: 'phone' },
 *     { names: ['first_name', 'last_name', 'zip'], type: 'name_zip' },
 *   ],
 *   keep: ['user_id', 'segment'],
 *   profile: 'meta',
 *   defaultCountry: 'US',
 * });
 * rows.keys(0);  // [{ column: 0, type: 'email', item }, ...]
 * rows.kept(0);  // ['u-123', 'gold']
 * ```
 */
export async function readIdentifierRows(input: string | NodeJS.ReadableStream, opts: ReadRowsOptions): Promise<IdentifierRows> {
  return readPlannedRows(input, planRowsRead(opts));
}

/**
 * {@link readIdentifierRows} with its options resolved ({@link planRowsRead}).
 *
 * @example
 * ```ts
 * const rows = await readPlannedRows(stream, planRowsRead({ columns: [{ name: 'email', type: 'email' }] }));
 * ```
 */
export async function readPlannedRows(input: string | NodeJS.ReadableStream, read: RowsReadPlan): Promise<IdentifierRows> {
  return identifierTableOf(csvRows(input), read);
}
