import type { PsiErrorCode } from '../errors.js';
import { COMPOSITE_SEPARATOR } from './composite.js';
import { IdentifierError } from './errors.js';
import { keyItem } from './item.js';
import { planIdentifiers, type IdentifierPlan } from './plan.js';
import type { IdentifierType, Profile } from './types.js';

/**
 * One key of a row: a single column (`name`) holding an identifier or a
 * 64-hex SHA-256 of one (`type: 'sha256'`, with `hashOf`), or, for a
 * composite type, several columns (`names`, in the order of
 * `COMPOSITE_FIELDS[type]`).
 *
 * @example
 * ```ts
 * const email: KeyColumn = { name: 'email', type: 'email' };
 * const hashed: KeyColumn = { name: 'phone_sha256', type: 'sha256', hashOf: 'phone' };
 * const address: KeyColumn = { names: ['first_name', 'last_name', 'zip'], type: 'name_zip' };
 * ```
 */
export interface KeyColumn {
  name?: string;
  names?: readonly string[];
  type: IdentifierType | 'sha256';
  /** For `type: 'sha256'`: what was hashed; default the reader's `hashOf`, else `'email'`. */
  hashOf?: IdentifierType;
}

/**
 * Options shared by {@link rowKeys} and the CSV row reader.
 *
 * @example
 * ```ts
 * const opts: RowKeysOptions = { profile: 'google', defaultCountry: 'US' };
 * ```
 */
export interface RowKeysOptions {
  profile?: Profile | undefined;
  defaultCountry?: string | undefined;
  /** Default `hashOf` of `'sha256'` columns; default `'email'`. */
  hashOf?: IdentifierType | undefined;
}

/**
 * A key of a row that normalised: which {@link KeyColumn} (its index), the
 * identifier type the item is tagged with, and the PSI item.
 *
 * @example
 * ```ts
 * const key: RowKey = { column: 0, type: 'email', item: psiItem('email', 'jane@example.com') };
 * ```
 */
export interface RowKey {
  column: number;
  type: IdentifierType;
  item: Uint8Array;
}

/**
 * A key of a row that did not normalise, with the column's label (its name,
 * or its names joined by `+`) and why.
 *
 * @example
 * ```ts
 * const p: KeyProblem = { column: 'phone', code: 'PHONE_INVALID', reason: 'column "phone": phone number is not a valid number' };
 * ```
 */
export interface KeyProblem {
  column: string;
  code: PsiErrorCode;
  reason: string;
}

/**
 * The keys of one row that normalised and the problems of those that did
 * not. Empty cells are neither: a row simply may not have every key.
 *
 * @example
 * ```ts
 * const r: RowKeys = { keys: [], problems: [] }; // a row with every key column empty
 * ```
 */
export interface RowKeys {
  keys: RowKey[];
  problems: KeyProblem[];
}

/**
 * The keys of one row from its cells, column by column as `cellsOf(i)`
 * returns them (one cell per name; `undefined`, `null` and blank text count
 * as empty, anything else that is not a string is `VALUE_INVALID`). Shared by
 * {@link rowKeys} and the CSV reader so both treat cells alike.
 *
 * @example
 * ```ts
 * const plan = planIdentifiers([{ name: 'email', type: 'email' }], {}, 'OPTIONS_INVALID');
 * keysOfCells(plan, () => ['jane@example.com']).keys.length; // 1
 * ```
 */
export function keysOfCells(plan: IdentifierPlan, cellsOf: (column: number) => readonly unknown[]): RowKeys {
  const out: RowKeys = { keys: [], problems: [] };
  plan.keys.forEach((column, i) => {
    const cells = cellsOf(i);
    const empty = column.names.filter(
      (_, f) => cells[f] === undefined || cells[f] === null || (typeof cells[f] === 'string' && cells[f].trim() === ''),
    );
    if (empty.length === column.names.length) return;
    const problem = (code: PsiErrorCode, reason: string): void => {
      out.problems.push({ column: column.label, code, reason: `column ${JSON.stringify(column.label)}: ${reason}` });
    };
    if (empty.length > 0) return problem('EMPTY', `${column.type} needs every one of its columns; empty: ${empty.join(', ')}`);
    if (cells.some((c) => typeof c !== 'string')) return problem('VALUE_INVALID', 'cells must be strings');
    if (cells.some((c) => (c as string).includes('\uFFFD'))) return problem('ENCODING_INVALID', 'not valid UTF-8');
    try {
      const value = cells.length === 1 ? (cells[0] as string) : cells.join(COMPOSITE_SEPARATOR);
      const item = keyItem(column, value, plan.rules);
      out.keys.push({ column: i, type: column.itemType, item });
    } catch (e) {
      if (!(e instanceof IdentifierError)) throw e;
      problem(e.code, e.message);
    }
  });
  return out;
}

/**
 * The PSI items of one in-memory record (a customer with several
 * identifiers), one per key column whose cells are not empty: a key that
 * fails is reported in `problems` and the others are kept. A row with no
 * key is the caller's to refuse. Browser-safe; the CSV reader does the same
 * per line.
 *
 * @example
 * ```ts
 * const { keys, problems } = rowKeys(
 *   { email: 'Jane@Example.com', phone: '555', first: 'Jane', last: 'Doe', zip: '94035' },
 *   [{ name: 'email', type: 'email' }, { name: 'phone', type: 'phone' }, { names: ['first', 'last', 'zip'], type: 'name_zip' }],
 *   { defaultCountry: 'US' },
 * );
 * // keys: the email and name_zip items; problems: [{ column: 'phone', code: 'PHONE_INVALID', ... }]
 * ```
 */
export function rowKeys(
  record: Readonly<Record<string, string | undefined>>,
  columns: readonly KeyColumn[],
  opts?: RowKeysOptions,
): RowKeys {
  const plan = planIdentifiers(columns, opts, 'OPTIONS_INVALID');
  if (record === null || typeof record !== 'object')
    throw new IdentifierError('OPTIONS_INVALID', 'record must be an object of column name to cell text');
  return keysOfCells(plan, (i) => plan.keys[i]!.names.map((n) => (Object.hasOwn(record, n) ? record[n] : undefined)));
}
