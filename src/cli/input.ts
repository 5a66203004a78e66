import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PsiError } from '../errors.js';
import {
  planColumnsRead,
  planRowsRead,
  readPlannedColumn,
  readPlannedRows,
  type ColumnsReadPlan,
  type RejectedRow,
  type RowsReadPlan,
} from '../files/csv.js';
import { isComposite } from '../identifiers/composite.js';
import type { KeyColumn } from '../identifiers/row-keys.js';
import { IDENTIFIER_TYPES, type IdentifierType, type Profile } from '../identifiers/types.js';
import type { MatchedRow } from '../service/result.js';
import { progressBar, type CliIo } from './io.js';

/**
 * Identifier types the `serve` and `match` commands take: any identifier type
 * (composites such as `name_zip` name their columns joined by `+`), SHA-256 of
 * a normalised identifier (matches the raw form on the other side), or as written.
 */
export const MATCH_TYPES: readonly string[] = Object.freeze([...IDENTIFIER_TYPES, 'sha256', 'raw']);

/**
 * Which column of which CSV file to match on, and how to normalise it.
 *
 * @example
 * ```ts
 * const spec: InputSpec = { input: 'customers.csv', column: 'email', type: 'email' };
 * ```
 */
export interface InputSpec {
  input: string;
  /**
   * A column, or several separated by commas: one identifier per column, a row
   * matching when any of them does. A composite type's columns are joined by
   * `+` (`first_name+last_name+zip` for `name_zip`).
   */
  column: string;
  /** The type of each column, comma-separated in the same order. */
  type: string;
  /** Columns of the input kept with each matched row in the results (default: the identifier columns). */
  emit?: string[] | undefined;
  profile?: Profile | undefined;
  defaultCountry?: string | undefined;
  /** With `type: 'sha256'`: what was hashed; default `'email'`. */
  hashOf?: 'email' | 'phone' | undefined;
  /** Numeric columns read with each row (`--values`): non-negative integers, an empty cell is 0. */
  values?: string[] | undefined;
}

/**
 * A CSV column read for matching: one item per accepted row, with its row kept
 * for reporting matches, and every refused row with its line and reason.
 *
 * @example
 * ```ts
 * const { items, rows, rejected } = await loadInput(spec, io);
 * ```
 */
export interface LoadedInput {
  /** One item per identifier of an accepted row, duplicates kept so that indices map to rows. */
  items: Uint8Array[];
  /** The row of each item: rows with several identifiers give several items the same row (the same `line`). */
  rows: MatchedRow[];
  /**
   * With several key columns (or kept columns, or values): the typed keys of each
   * accepted row, that row, the names of its kept `cells`, and its values.
   */
  records?: { keys: { type: string; item: Uint8Array }[][]; rows: MatchedRow[]; columns: string[]; values?: Record<string, number[]> };
  /** Accepted rows (each has at least one identifier). */
  accepted: number;
  /** Distinct items (with `records`: distinct keys). */
  distinct: number;
  rowsRead: number;
  duplicates: number;
  rejected: RejectedRow[];
  /** With `values`: each value column, one entry per item (the value of the item's row). */
  values?: Record<string, number[]>;
}

/** Rejected rows listed on stderr before the rest is only counted. */
const REJECTS_SHOWN = 10;

/**
 * Lists refused rows on stderr, line and reason, the first few in full.
 *
 * @example
 * ```ts
 * reportRejected(io, [{ line: 7, code: 'EMAIL_INVALID', reason: 'column "email": no @' }]);
 * ```
 */
export function reportRejected(io: CliIo, rejected: readonly RejectedRow[]): void {
  for (const r of rejected.slice(0, REJECTS_SHOWN)) io.err(`  line ${r.line}: ${r.code}: ${r.reason}\n`);
  if (rejected.length > REJECTS_SHOWN) io.err(`  ... and ${rejected.length - REJECTS_SHOWN} more\n`);
}

/**
 * One `--column` entry with its `--type`: a column, or a composite's columns.
 *
 * @example
 * ```ts
 * const key: CliKey = { label: 'first_name+last_name+zip', names: ['first_name', 'last_name', 'zip'], type: 'name_zip' };
 * ```
 */
export interface CliKey {
  /** The entry as written, e.g. `email` or `first_name+last_name+zip`. */
  label: string;
  names: string[];
  type: string;
}

/**
 * The `--column`/`--type` lists, checked to pair up (`OPTIONS_INVALID` otherwise).
 *
 * @example
 * ```ts
 * keyColumns({ column: 'email,phone', type: 'email,phone' }).length; // 2
 * ```
 */
export function keyColumns(spec: Pick<InputSpec, 'column' | 'type'>): CliKey[] {
  const labels = spec.column.split(',').map((n) => n.trim());
  const types = spec.type.split(',').map((t) => t.trim());
  if (labels.length !== types.length || labels.some((n) => n === '')) {
    throw new PsiError(
      'OPTIONS_INVALID',
      `--column and --type must list as many entries each; got ${labels.length} columns and ${types.length} types`,
    );
  }
  return labels.map((label, i) => {
    const type = types[i]!;
    if (!MATCH_TYPES.includes(type)) throw new PsiError('OPTIONS_INVALID', `--type ${type} is not one of ${MATCH_TYPES.join(', ')}`);
    return { label, names: label.split('+').map((n) => n.trim()), type };
  });
}

/** A `--column` entry as the CSV row reader takes it. */
function keyColumn(key: CliKey): KeyColumn {
  const type = key.type as IdentifierType | 'sha256';
  return type !== 'sha256' && isComposite(type) ? { names: key.names, type } : { name: key.label, type };
}

/**
 * The input flags of a command resolved once, before any file is read: how
 * each row is read (several keys per row with their {@link IdentifierPlan},
 * or one column alone), the columns kept with each row, and the identifier
 * type of each key as a service publishes it (`keyTypes`: a `sha256`
 * column's is the type hashed). Every file the command reads is read with it.
 *
 * @example
 * ```ts
 * const plan = resolveInput({ column: 'email,phone', type: 'email,phone', defaultCountry: 'US' });
 * plan.keyTypes; // ['email', 'phone']
 * ```
 */
export interface InputPlan {
  /** `--type` as written, for messages. */
  readonly type: string;
  readonly read: { readonly rows: RowsReadPlan } | { readonly column: ColumnsReadPlan };
  /** With `rows`: the `--emit` columns written for each matched row (default the identifier columns). */
  readonly emit: readonly string[];
  /** `--values`: numeric columns read with each row. */
  readonly values: readonly string[] | undefined;
  readonly keyTypes: readonly string[];
}

/**
 * Resolves a command's input flags into an {@link InputPlan}: `--column` and
 * `--type` paired up (`OPTIONS_INVALID`), then the key columns, profile,
 * default country and `--hash-of` checked once by the identifier readers'
 * planners (`CSV_OPTIONS_INVALID`, `PROFILE_UNKNOWN`, ...). The commands call
 * it at their boundary; nothing below checks the flags again.
 *
 * @example
 * ```ts
 * const plan = resolveInput({ column: 'first_name+last_name+zip', type: 'name_zip', emit: ['user_id'] });
 * ```
 */
export function resolveInput(spec: Omit<InputSpec, 'input'>): InputPlan {
  const columns = keyColumns(spec);
  const { type, names } = columns[0]!;
  const rules = {
    ...(spec.profile === undefined ? {} : { profile: spec.profile }),
    ...(spec.defaultCountry === undefined ? {} : { defaultCountry: spec.defaultCountry }),
    ...(spec.hashOf === undefined ? {} : { hashOf: spec.hashOf }),
  };
  const values = spec.values === undefined ? undefined : Object.freeze([...spec.values]);
  if (columns.length > 1 || spec.emit !== undefined || values !== undefined || names.length > 1) {
    if (columns.some((c) => c.type === 'raw'))
      throw new PsiError('OPTIONS_INVALID', "'raw' columns match alone; with several columns use typed ones");
    const emit = Object.freeze([...(spec.emit ?? columns.flatMap((c) => c.names))]);
    const rows = planRowsRead({ columns: columns.map(keyColumn), keep: [...emit, ...(values ?? [])], ...rules });
    return Object.freeze({
      type: spec.type,
      read: Object.freeze({ rows }),
      emit,
      values,
      keyTypes: Object.freeze(rows.identifiers.keys.map((k) => k.itemType)),
    });
  }
  const column = planColumnsRead({ column: spec.column, type: type as IdentifierType | 'sha256' | 'raw', ...rules });
  return Object.freeze({
    type: spec.type,
    read: Object.freeze({ column }),
    emit: Object.freeze([]),
    values,
    keyTypes: Object.freeze([type === 'sha256' ? column.hashOf : type]),
  });
}

/** Streams `file` into `read` with a progress bar in bytes, closing the file whatever happens. */
async function withProgress<T>(
  file: string,
  io: CliIo,
  size: number,
  read: (stream: ReadStream, onProgress: () => void) => Promise<T>,
): Promise<T> {
  const stream = createReadStream(file);
  const bar = progressBar(io, 'reading', 'bytes');
  try {
    return await read(stream, () => bar.update(Math.min(stream.bytesRead, size), size));
  } finally {
    bar.stop();
    stream.destroy();
  }
}

/** Several identifier columns per row (and kept columns): every identifier is an item of its row. */
async function loadRows(file: string, plan: InputPlan, rowsRead: RowsReadPlan, io: CliIo, size: number): Promise<LoadedInput> {
  const { emit, keyTypes } = plan;
  const valueNames = plan.values ?? [];
  const read = await withProgress(file, io, size, (stream, onProgress) => readPlannedRows(stream, { ...rowsRead, onProgress }));
  const rowValues: number[][] = [];
  const byRow = Array.from({ length: read.count }, (_, r): MatchedRow => {
    const kept = read.kept(r);
    const cells = kept.slice(0, emit.length);
    rowValues.push(kept.slice(emit.length).map((cell, c) => parseValueCell(cell, valueNames[c]!, read.lines[r]!)));
    return { line: read.lines[r]!, value: cells.join(' '), cells };
  });
  const keyRows = read.keyRow.subarray(0, read.keyCount);
  const items = Array.from({ length: read.keyCount }, (_, k) => read.item(k));
  const rows = Array.from(keyRows, (r) => byRow[r]!);
  const keys = byRow.map((): { type: string; item: Uint8Array }[] => []);
  items.forEach((item, k) => keys[read.keyRow[k]!]!.push({ type: keyTypes[read.keyColumn[k]!]!, item }));
  const column = (c: number) => rowValues.map((v) => v[c]!);
  const values = plan.values === undefined ? undefined : Object.fromEntries(valueNames.map((name, c) => [name, column(c)]));
  const { rejected } = read;
  if (rejected.length > 0) {
    io.err(`${file}: ${rejected.length} of ${read.rowsRead} rows rejected (no identifier that normalises; never sent or matched):\n`);
    reportRejected(io, rejected);
  }
  if (read.warnings.length > 0) io.err(`${file}: ${read.warnings.length} identifiers refused in rows kept for their other identifiers\n`);
  return {
    items,
    rows,
    records: { keys, rows: byRow, columns: [...emit], ...(values === undefined ? {} : { values }) },
    accepted: read.count,
    distinct: read.keyCount - read.duplicates,
    rowsRead: read.rowsRead,
    duplicates: read.duplicates,
    rejected,
    ...(values === undefined
      ? {}
      : { values: Object.fromEntries(Object.entries(values).map(([n, v]) => [n, Array.from(keyRows, (r) => v[r]!)])) }),
  };
}

/** A value cell: a non-negative integer in the column's unit (cents, not 12.50); empty is 0. */
function parseValueCell(cell: string, column: string, line: number): number {
  const text = cell.trim();
  if (text === '') return 0;
  const value = /^[0-9]{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new PsiError(
      'MEASURE_VALUE_INVALID',
      `line ${line}, column ${column}: ${JSON.stringify(cell)} is not a non-negative integer (write cents, not 12.50)`,
    );
  }
  return value;
}

/**
 * Reads `file` as `plan` says (with a progress bar when a person watches)
 * and reports refused rows on stderr with their line numbers.
 *
 * @example
 * ```ts
 * const input = await loadInput('users.csv', resolveInput({ column: 'email', type: 'email' }), io);
 * ```
 */
export async function loadInput(file: string, plan: InputPlan, io: CliIo): Promise<LoadedInput> {
  const size = await stat(file).then(
    (s) => s.size,
    (e: Error) => {
      throw new PsiError('INPUT_UNREADABLE', `cannot read ${file}: ${e.message}`, { cause: e });
    },
  );
  if ('rows' in plan.read) return loadRows(file, plan, plan.read.rows, io, size);
  const { column } = plan.read;
  const read = await withProgress(file, io, size, (stream, onProgress) => readPlannedColumn(stream, { ...column, onProgress }));
  const rows = read.lines.map((line, i) => ({ line, value: read.values[i]! }));
  const { rejected } = read;
  if (rejected.length > 0) {
    io.err(`${file}: ${rejected.length} of ${read.rowsRead} rows rejected (not a valid ${plan.type}; never sent or matched):\n`);
    reportRejected(io, rejected);
  }
  const { items, rowsRead, duplicates } = read;
  return { items, rows, accepted: items.length, distinct: items.length - duplicates, rowsRead, duplicates, rejected };
}
