import { hexToBytes } from '@noble/hashes/utils.js';
import { checkProfile, checkType } from '../../src/identifiers/checks.js';
import { COMPOSITE_FIELDS, COMPOSITE_SEPARATOR, isComposite, normalizeComposite } from '../../src/identifiers/composite.js';
import { normalizeEmail } from '../../src/identifiers/email.js';
import { IdentifierError } from '../../src/identifiers/errors.js';
import { normalizedDigest } from '../../src/identifiers/hash.js';
import { normalizeMaid } from '../../src/identifiers/ids.js';
import { itemFromDigest, type PsiItemOptions } from '../../src/identifiers/item.js';
import { normalizeCity, normalizeCountry, normalizeState, normalizeZip } from '../../src/identifiers/location.js';
import { normalizeDob, normalizeDobPart, normalizeGender, normalizeName, normalizeNamePart } from '../../src/identifiers/person.js';
import { normalizePhone, phoneCountry } from '../../src/identifiers/phone.js';
import type { KeyColumn, RowKeys, RowKeysOptions } from '../../src/identifiers/row-keys.js';
import { lowerUnicode, prepareText } from '../../src/identifiers/text.js';
import type { IdentifierType, NormalizeOptions } from '../../src/identifiers/types.js';

// The identifier path as it was before options were resolved once into a plan:
// every call (and every composite field) checks the type, the profile and the
// default country from the raw options again. Kept as the oracle the plan is
// compared with (plan.property.test.ts); the per-type normalisers it calls are
// the library's own, so only the handling of the options is under test.

/** `normalize` checking its options at every level. */
export function unplannedNormalize(value: string, type: IdentifierType, opts?: NormalizeOptions): string {
  const kind = checkType(type);
  const profile = checkProfile(opts?.profile);
  const country = phoneCountry(opts?.defaultCountry);
  if (isComposite(kind)) return normalizeComposite(value, kind, (field, fieldType) => unplannedNormalize(field, fieldType, opts));
  const text = prepareText(value, kind);
  switch (kind) {
    case 'email':
      return normalizeEmail(text, profile);
    case 'phone':
      return normalizePhone(text, profile, country);
    case 'first_name':
    case 'last_name':
      return normalizeName(text, kind, profile);
    case 'city':
      return normalizeCity(text, profile);
    case 'state':
      return normalizeState(text);
    case 'zip':
      return normalizeZip(text);
    case 'country':
      return normalizeCountry(text);
    case 'dob':
      return normalizeDob(text);
    case 'gender':
      return normalizeGender(text);
    case 'external_id':
      return lowerUnicode(text).replace(/\s+/gu, '');
    case 'maid':
      return normalizeMaid(text);
    case 'fi':
    case 'f5first':
    case 'f5last':
      return normalizeNamePart(text, kind);
    case 'doby':
    case 'dobm':
    case 'dobd':
      return normalizeDobPart(text, kind);
  }
}

/** `psiItem` over {@link unplannedNormalize}. */
export function unplannedItem(type: IdentifierType | 'sha256', value: string, opts?: PsiItemOptions): Uint8Array {
  if (type !== 'sha256') return itemFromDigest(checkType(type), normalizedDigest(unplannedNormalize(value, type, opts)));
  const hashOf = checkType(opts?.hashOf ?? 'email');
  const hex = typeof value === 'string' ? value.trim() : '';
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new IdentifierError('SHA256_INVALID', 'a pre-hashed identifier must be a SHA-256 digest written as 64 hex digits');
  }
  return itemFromDigest(hashOf, hexToBytes(hex.toLowerCase()));
}

/** `rowKeys` as it was: its columns planned with the raw default country, then each cell's item from the raw options. */
export function unplannedRowKeys(
  record: Readonly<Record<string, string | undefined>>,
  columns: readonly KeyColumn[],
  opts?: RowKeysOptions,
): RowKeys {
  const fail = (reason: string): never => {
    throw new IdentifierError('OPTIONS_INVALID', reason);
  };
  if (!Array.isArray(columns) || columns.length === 0) fail('columns must be a non-empty array of key columns');
  if (columns.length > 255) fail('at most 255 key columns');
  const profile = checkProfile(opts?.profile);
  phoneCountry(opts?.defaultCountry);
  const defaultHashOf = checkType(opts?.hashOf ?? 'email');
  const planned = columns.map((c) => {
    const type: IdentifierType | 'sha256' = c?.type === 'sha256' ? 'sha256' : checkType(c?.type);
    const itemType = type === 'sha256' ? (c.hashOf === undefined ? defaultHashOf : checkType(c.hashOf)) : type;
    if (type !== 'sha256' && c.hashOf !== undefined) fail('hashOf goes only with type sha256');
    const composite = type !== 'sha256' && isComposite(type);
    if ((c.name === undefined) === (c.names === undefined)) fail(`a key column has either name or names (type ${type})`);
    const names = c.names ?? [c.name];
    if (!names.every((n): n is string => typeof n === 'string')) fail('column names must be strings');
    const fields = composite ? COMPOSITE_FIELDS[type].length : 1;
    if (names.length !== fields || (composite && c.names === undefined)) {
      fail(
        composite ? `${type} takes names: ${fields} columns, for ${COMPOSITE_FIELDS[type].join(', ')}` : `${type} takes one column name`,
      );
    }
    return { label: names.join('+'), names: names as readonly string[], type, itemType };
  });
  if (record === null || typeof record !== 'object')
    throw new IdentifierError('OPTIONS_INVALID', 'record must be an object of column name to cell text');
  const out: RowKeys = { keys: [], problems: [] };
  const itemOpts = { profile, defaultCountry: opts?.defaultCountry };
  planned.forEach((column, i) => {
    const cells: readonly unknown[] = column.names.map((n) => (Object.hasOwn(record, n) ? record[n] : undefined));
    const empty = column.names.filter(
      (_, f) => cells[f] === undefined || cells[f] === null || (typeof cells[f] === 'string' && cells[f].trim() === ''),
    );
    if (empty.length === column.names.length) return;
    const problem = (code: IdentifierError['code'], reason: string): void => {
      out.problems.push({ column: column.label, code, reason: `column ${JSON.stringify(column.label)}: ${reason}` });
    };
    if (empty.length > 0) return problem('EMPTY', `${column.type} needs every one of its columns; empty: ${empty.join(', ')}`);
    if (cells.some((c) => typeof c !== 'string')) return problem('VALUE_INVALID', 'cells must be strings');
    if (cells.some((c) => (c as string).includes('\uFFFD'))) return problem('ENCODING_INVALID', 'not valid UTF-8');
    try {
      const value = cells.length === 1 ? (cells[0] as string) : cells.join(COMPOSITE_SEPARATOR);
      out.keys.push({
        column: i,
        type: column.itemType,
        item: unplannedItem(column.type, value, { ...itemOpts, hashOf: column.itemType }),
      });
    } catch (e) {
      if (!(e instanceof IdentifierError)) throw e;
      problem(e.code, e.message);
    }
  });
  return out;
}
