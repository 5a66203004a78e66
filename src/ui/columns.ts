import { PsiError } from '../errors.js';
import type { KeyColumn } from '../identifiers/row-keys.js';

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
export type ColumnRole = 'email' | 'phone' | 'first_name' | 'last_name' | 'zip' | 'country';

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

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number as people write one: an optional +, then at least 7 digits among spaces, dots, dashes and brackets. */
const PHONE_SHAPE = /^\+?[\d\s().-]{7,20}$/;

function roleOfHeader(header: string): ColumnRole | null {
  const key = header.toLowerCase().replace(/[^a-z0-9]/g, '');
  return HEADER_PATTERNS.find(([, pattern]) => pattern.test(key))?.[0] ?? null;
}

/** The role most of a column's non-empty sample cells have the shape of, when one does. */
function roleOfSamples(cells: readonly string[]): ColumnRole | null {
  const filled = cells.map((c) => c.trim()).filter((c) => c !== '');
  if (filled.length === 0) return null;
  const share = (shape: RegExp, extra: (c: string) => boolean = () => true) =>
    filled.filter((c) => shape.test(c) && extra(c)).length / filled.length;
  if (share(EMAIL_SHAPE) >= 0.6) return 'email';
  if (share(PHONE_SHAPE, (c) => c.replace(/\D/g, '').length >= 7) >= 0.6) return 'phone';
  return null;
}

/**
 * Guesses the role of each column from its header and, when the header says
 * nothing, from its sample cells (mostly email-shaped or phone-shaped). Each
 * name, postcode and country role goes to the first column that claims it;
 * email and phone may be several columns (each is a key). The page shows the
 * guess for the user to correct, so a wrong guess costs a click, not a match.
 *
 * @example
 * ```ts
 * guessRoles(['Customer ID', 'E-mail', 'Mobile', 'col4'], [['17', 'ann@example.com', '+44 7700 900123', 'bob@example.com']]);
 * // [null, 'email', 'phone', 'email']
 * ```
 */
export function guessRoles(header: readonly string[], samples: readonly (readonly string[])[]): (ColumnRole | null)[] {
  const taken = new Set<ColumnRole>();
  return header.map((name, i) => {
    const role = roleOfHeader(name) ?? roleOfSamples(samples.map((row) => row[i] ?? ''));
    if (role === null) return null;
    if (role !== 'email' && role !== 'phone') {
      if (taken.has(role)) return null;
      taken.add(role);
    }
    return role;
  });
}

const NAME_ROLES = ['first_name', 'last_name', 'zip'] as const;

/**
 * The key columns a role assignment asks for, as `identifierRows` takes them:
 * one key per email or phone column, and one `name_zip` key (or
 * `name_zip_country`, with a country column) when first name, last name and
 * postcode are all chosen. Throws `OPTIONS_INVALID` with a sentence for the
 * page to show when no key results, when a name role is chosen without the
 * others, or when one of them is chosen twice.
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
    if (role === null) return;
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
  if (named.size > 0) {
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
