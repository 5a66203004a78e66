import { PsiError } from '../errors.js';
import { normalize } from '../identifiers/normalize.js';
import type { KeyColumn } from '../identifiers/row-keys.js';
import type { Profile } from '../identifiers/types.js';

/**
 * What a column of the advertiser's file holds, as the page offers it: the
 * identifiers ad platforms match on. Names, postcode and country are matched
 * together as one key (Google's address match), never alone.
 *
 * @example
 * ```ts
 * const role: ColumnRole = 'zip';
 * ```
 */
export type ColumnRole = 'email' | 'phone' | 'first_name' | 'last_name' | 'zip' | 'country' | 'value';

/**
 * Every {@link ColumnRole}, in the order the page lists them, with its label.
 *
 * @example
 * ```ts
 * COLUMN_ROLES.map(([role, label]) => new Option(label, role));
 * ```
 */
export const COLUMN_ROLES: readonly (readonly [ColumnRole, string])[] = Object.freeze([
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['first_name', 'First name'],
  ['last_name', 'Last name'],
  ['zip', 'Postcode / ZIP'],
  ['country', 'Country'],
  ['value', 'Amount to sum'],
] as const);

/** Header spellings seen in CRM exports and the platforms' templates, compared lowercased without separators. */
const HEADER_PATTERNS: readonly (readonly [ColumnRole, RegExp])[] = [
  ['email', /^(e?mail|em|emails?\d*|e?mailaddress(es)?\d*|.*e?mailaddress|.*email)$/],
  ['phone', /^(ph|phone|phones?\d*|phonenumber|telephone|tel|mobile|mobilephone|mobilenumber|cell|cellphone|msisdn|.*phone)$/],
  ['first_name', /^(fn|first|firstname|fname|givenname|forename)$/],
  ['last_name', /^(ln|last|lastname|lname|surname|familyname)$/],
  ['zip', /^(zip|zipcode|zip5|postcode|postalcode|postal|postcodezip)$/],
  ['country', /^(country|countrycode|ctry|cc|countryiso)$/],
];

/** Cells shaped like dates (2026-03-15, 15/03/2026, 3.15.26): digits a phone parser might accept, never phones. */
const DATE_SHAPE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})([ T].*)?$/;

/**
 * Share of a column's filled sample cells a role must normalise more than for the page
 * to offer that role: most of them.
 *
 * @example
 * ```ts
 * if (share > MOST) offer(role);
 * ```
 */
export const MOST = 0.5;

/**
 * What the sample cells of one column say: how many are filled, and for each
 * role the share of those that normalise as it.
 *
 * @example
 * ```ts
 * const check: ColumnCheck = { filled: 20, shares: { email: 0.95, phone: 0, first_name: 0, last_name: 0, zip: 0, country: 0 } };
 * ```
 */
export interface ColumnCheck {
  filled: number;
  shares: Record<ColumnRole, number>;
}

/**
 * Options of {@link checkColumns} and {@link guessRoles}: the normalisation
 * rules, the country of phone numbers written without a country code, and the
 * index of the column holding each row's country, when there is one.
 *
 * @example
 * ```ts
 * const opts: GuessOptions = { profile: 'meta', defaultCountry: 'US' };
 * ```
 */
export interface GuessOptions {
  profile?: Profile;
  defaultCountry?: string;
}

function roleOfHeader(header: string): ColumnRole | null {
  const key = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  return HEADER_PATTERNS.find(([, pattern]) => pattern.test(key))?.[0] ?? null;
}

function normalises(cell: string, role: ColumnRole, opts: GuessOptions, country: string | undefined): boolean {
  if (role === 'value') return amountOf(cell) !== undefined;
  if (role === 'phone' && DATE_SHAPE.test(cell)) return false;
  if ((role === 'first_name' || role === 'last_name') && /[\d@]/.test(cell)) return false;
  if (role === 'zip' && !/\d/.test(cell)) return false;
  try {
    const defaultCountry = role === 'phone' ? (country ?? opts.defaultCountry) : undefined;
    normalize(cell, role, { profile: opts.profile ?? 'meta', ...(defaultCountry === undefined ? {} : { defaultCountry }) });
    return true;
  } catch {
    return false;
  }
}

/** The country code a row's country cell names, when it names one. */
function rowCountry(cell: string | undefined): string | undefined {
  if (cell === undefined || cell.trim() === '') return undefined;
  try {
    return normalize(cell, 'country').toUpperCase();
  } catch {
    return undefined;
  }
}

/**
 * Checks every column's sample cells against every role with the
 * normalisers the match uses: the share of filled cells that are valid
 * emails, phone numbers (each read with its row's country when a column
 * named like a country holds one), names, postcodes and countries. Cells
 * shaped like dates are never phone numbers.
 *
 * @example
 * ```ts
 * checkColumns(['Email', 'Last Purchase Date'], [['ann@example.com', '2026-03-15']], { defaultCountry: 'US' })[1]!.shares.phone; // 0
 * ```
 */
export function checkColumns(header: readonly string[], samples: readonly (readonly string[])[], opts: GuessOptions = {}): ColumnCheck[] {
  const countryAt = header.findIndex((name) => roleOfHeader(name) === 'country');
  const countries = samples.map((row) => (countryAt < 0 ? undefined : rowCountry(row[countryAt])));
  return header.map((_, i) => {
    const cells = samples.flatMap((row, r) => {
      const cell = (row[i] ?? '').trim();
      return cell === '' ? [] : [[cell, countries[r]] as const];
    });
    const shares = Object.fromEntries(
      COLUMN_ROLES.map(([role]) => [
        role,
        cells.length === 0 ? 0 : cells.filter(([cell, country]) => normalises(cell, role, opts, country)).length / cells.length,
      ]),
    ) as Record<ColumnRole, number>;
    return { filled: cells.length, shares };
  });
}

/** The role most of a column's sample cells normalise as, of those guessed from cells alone. */
function roleOfSamples(check: ColumnCheck): ColumnRole | null {
  if (check.shares.email > MOST) return 'email';
  if (check.shares.phone > MOST) return 'phone';
  return null;
}

/**
 * Whether the page offers `role` for a column: when most of its filled
 * sample cells normalise as that role, or it has none to judge by.
 *
 * @example
 * ```ts
 * offered({ filled: 20, shares: { phone: 0, ... } }, 'phone'); // false
 * ```
 */
export function offered(check: ColumnCheck | undefined, role: ColumnRole): boolean {
  return check === undefined || check.filled === 0 || check.shares[role] > MOST;
}

/**
 * Guesses the role of each column from its header, kept only when most of
 * the column's sample cells normalise as that role, and, when the header
 * says nothing, from the cells (mostly valid emails or phone numbers). Each
 * name, postcode and country role goes to the first column that claims it;
 * email and phone may be several columns (each is a key). Names and postcode
 * are guessed only all three together (they make one key). The page shows the
 * guess for the user to correct, so a wrong guess costs a click, not a match.
 *
 * @example
 * ```ts
 * guessRoles(['Customer ID', 'E-mail', 'Mobile', 'col4'], [['17', 'ann@example.com', '+44 7700 900123', 'bob@example.com']]);
 * // [null, 'email', 'phone', 'email']
 * ```
 */
export function guessRoles(
  header: readonly string[],
  samples: readonly (readonly string[])[],
  opts: GuessOptions = {},
): (ColumnRole | null)[] {
  const checks = checkColumns(header, samples, opts);
  const taken = new Set<ColumnRole>();
  const roles = header.map((name, i) => {
    const check = checks[i]!;
    const fromHeader = roleOfHeader(name);
    const role = fromHeader !== null && offered(check, fromHeader) ? fromHeader : fromHeader === null ? roleOfSamples(check) : null;
    if (role === null) return null;
    if (role !== 'email' && role !== 'phone') {
      if (taken.has(role)) return null;
      taken.add(role);
    }
    return role;
  });
  // Names are matched only with postcode, as one key: a partial guess ("First Name" and "Zip" alone) would stop Match.
  if (NAME_ROLES.some((r) => !taken.has(r))) return roles.map((r) => (NAME_ROLES.includes(r as never) ? null : r));
  return roles;
}

const NAME_ROLES = ['first_name', 'last_name', 'zip'] as const;

/**
 * The key columns a role assignment asks for, as `identifierRows` takes them:
 * one key per email or phone column, and one `name_zip` key (or
 * `name_zip_country`, with a country column) when first name, last name and
 * postcode are all chosen. A country column alone is no key: it gives each
 * row's phone numbers their country ({@link countryColumnOf}). Throws
 * `OPTIONS_INVALID` with a sentence for the page to show when no key
 * results, when a name role is chosen without the others, or when one of
 * them is chosen twice.
 *
 * @example
 * ```ts
 * keyColumns(['email', 'fn', 'ln', 'zip'], ['email', 'first_name', 'last_name', 'zip']);
 * // [{ name: 'email', type: 'email' }, { names: ['fn', 'ln', 'zip'], type: 'name_zip' }]
 * ```
 */
export function keyColumns(header: readonly string[], roles: readonly (ColumnRole | null)[]): KeyColumn[] {
  const keys: KeyColumn[] = [];
  const named = new Map<ColumnRole, string>();
  roles.forEach((role, i) => {
    if (role === null || role === 'value') return;
    const name = header[i]!;
    if (role === 'email' || role === 'phone') {
      keys.push({ name, type: role });
      return;
    }
    if (named.has(role)) {
      throw new PsiError('OPTIONS_INVALID', `two columns are marked ${role.replace('_', ' ')}: ${named.get(role)} and ${name}`);
    }
    named.set(role, name);
  });
  if (NAME_ROLES.some((r) => named.has(r))) {
    const missing = NAME_ROLES.filter((r) => !named.has(r));
    if (missing.length > 0) {
      throw new PsiError(
        'OPTIONS_INVALID',
        `names are matched with postcode as one key: also mark ${missing.map((r) => r.replace('_', ' ')).join(', ')}, or unmark the others`,
      );
    }
    const names = NAME_ROLES.map((r) => named.get(r)!);
    const country = named.get('country');
    keys.push(country === undefined ? { names, type: 'name_zip' } : { names: [...names, country], type: 'name_zip_country' });
  }
  if (keys.length === 0) throw new PsiError('OPTIONS_INVALID', 'mark at least one identifier column: email, phone, or names with postcode');
  return keys;
}

/**
 * The column marked as holding each row's country, when one is: it gives the
 * row's phone numbers written without a country code their country.
 *
 * @example
 * ```ts
 * countryColumnOf(['Phone', 'Country'], ['phone', 'country']); // 'Country'
 * ```
 */
export function countryColumnOf(header: readonly string[], roles: readonly (ColumnRole | null)[]): string | undefined {
  const at = roles.indexOf('country');
  return at < 0 ? undefined : header[at];
}

/**
 * The columns marked as amounts to sum over the matched customers (summed
 * under encryption: the platform sees ciphertexts only).
 *
 * @example
 * ```ts
 * valueColumnsOf(['Email', 'Lifetime Value ($)'], ['email', 'value']); // ['Lifetime Value ($)']
 * ```
 */
export function valueColumnsOf(header: readonly string[], roles: readonly (ColumnRole | null)[]): string[] {
  return header.filter((_, i) => roles[i] === 'value');
}

/**
 * An amount as a whole non-negative number, from a cell as exports write it:
 * `1234.50`, `1,234.50`, `1.234,50`, `$ 12`, `12,5`; rounded to the unit. A
 * separator followed by exactly three digits is read as thousands.
 * `undefined` for a cell that is not an amount or is negative.
 *
 * @example
 * ```ts
 * amountOf('$1,234.50'); // 1235
 * amountOf('12,5');      // 13
 * ```
 */
export function amountOf(cell: string): number | undefined {
  let text = cell.trim().replace(/[\s\u00a0$€£¥]|USD|EUR|GBP/g, '');
  if (!/^\d[\d.,]*$/.test(text)) return undefined;
  // The last separator is the decimal one unless exactly three digits follow it (1,234 and 1.234.567 are thousands).
  const at = Math.max(text.lastIndexOf(','), text.lastIndexOf('.'));
  const isDecimal = at >= 0 && text.length - at - 1 !== 3;
  text = isDecimal ? `${text.slice(0, at).replace(/[.,]/g, '')}.${text.slice(at + 1)}` : text.replace(/[.,]/g, '');
  const value = Number(text);
  return Number.isFinite(value) ? Math.round(value) : undefined;
}
