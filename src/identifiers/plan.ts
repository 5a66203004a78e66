import type { CountryCode } from 'libphonenumber-js';
import { checkProfile, checkType } from './checks.js';
import { COMPOSITE_FIELDS, isComposite } from './composite.js';
import { IdentifierError } from './errors.js';
import { phoneCountry } from './phone.js';
import type { KeyColumn, RowKeysOptions } from './row-keys.js';
import type { IdentifierType, NormalizeOptions, Profile } from './types.js';

/**
 * The normalisation options of a pipeline, checked once: the profile known
 * (default `'meta'`) and the default country a supported ISO 3166-1 alpha-2
 * code, upper-cased. Everything that normalises below the boundary takes
 * these and checks nothing again.
 *
 * @example
 * ```ts
 * const rules: NormalizeRules = resolveRules({ profile: 'google', defaultCountry: 'gb' }); // { profile: 'google', defaultCountry: 'GB' }
 * ```
 */
export interface NormalizeRules {
  readonly profile: Profile;
  readonly defaultCountry: CountryCode | undefined;
}

/**
 * Checks {@link NormalizeOptions} once, profile first (`PROFILE_UNKNOWN`),
 * then the default country (`DEFAULT_COUNTRY_INVALID`), into frozen
 * {@link NormalizeRules}.
 *
 * @example
 * ```ts
 * resolveRules(undefined);                  // { profile: 'meta', defaultCountry: undefined }
 * resolveRules({ defaultCountry: 'us' });   // { profile: 'meta', defaultCountry: 'US' }
 * resolveRules({ profile: 'bing' });        // throws PROFILE_UNKNOWN
 * ```
 */
export function resolveRules(opts: NormalizeOptions | undefined): NormalizeRules {
  const profile = checkProfile(opts?.profile);
  const defaultCountry = phoneCountry(opts?.defaultCountry);
  return Object.freeze({ profile, defaultCountry });
}

/**
 * One key column of an {@link IdentifierPlan}: its label (its name, or its
 * names joined by `+`), the cells it reads, what they hold, and the type its
 * item is tagged with (`type`, or for `'sha256'` the type that was hashed).
 *
 * @example
 * ```ts
 * const key: PlannedKey = { label: 'phone_sha256', names: ['phone_sha256'], type: 'sha256', itemType: 'phone' };
 * ```
 */
export interface PlannedKey {
  readonly label: string;
  readonly names: readonly string[];
  readonly type: IdentifierType | 'sha256';
  readonly itemType: IdentifierType;
}

/**
 * The identifier options of a read resolved once: its key columns checked
 * and the normalisation rules. Made by {@link planIdentifiers} at the
 * boundary (a public reader, a CLI command, the page) and carried down to
 * every cell; frozen, so what was checked is what is used.
 *
 * @example
 * ```ts
 * const plan: IdentifierPlan = planIdentifiers([{ name: 'email', type: 'email' }], { profile: 'google' }, 'OPTIONS_INVALID');
 * plan.keys[0]!.label; // 'email'
 * plan.rules.profile;  // 'google'
 * ```
 */
export interface IdentifierPlan {
  readonly keys: readonly PlannedKey[];
  readonly rules: NormalizeRules;
}

/**
 * Most key columns a row may have (a column index fits in a byte).
 *
 * @example
 * ```ts
 * columns.length <= MAX_KEY_COLUMNS; // checked by planIdentifiers
 * ```
 */
export const MAX_KEY_COLUMNS = 255;

/**
 * Resolves key columns and options into an {@link IdentifierPlan}, before
 * any row: the columns, the profile, the default country, the default
 * `hashOf`, then each column (its type, a composite with exactly its fields,
 * a `name` where `names` belongs). Throws `code` (`OPTIONS_INVALID`, or
 * `CSV_OPTIONS_INVALID` for files) for the columns' shape and the
 * identifier codes (`TYPE_UNKNOWN`, `PROFILE_UNKNOWN`, ...) for the rest.
 *
 * @example
 * ```ts
 * planIdentifiers([{ names: ['fn', 'ln', 'zip'], type: 'name_zip' }], { profile: 'google' }, 'OPTIONS_INVALID');
 * ```
 */
export function planIdentifiers(
  columns: readonly KeyColumn[],
  opts: RowKeysOptions | undefined,
  code: 'OPTIONS_INVALID' | 'CSV_OPTIONS_INVALID',
): IdentifierPlan {
  const fail = (reason: string): never => {
    throw new IdentifierError(code, reason);
  };
  if (!Array.isArray(columns) || columns.length === 0) fail('columns must be a non-empty array of key columns');
  if (columns.length > MAX_KEY_COLUMNS) fail(`at most ${MAX_KEY_COLUMNS} key columns`);
  const rules = resolveRules(opts);
  const defaultHashOf = checkType(opts?.hashOf ?? 'email');
  const keys = columns.map((c): PlannedKey => {
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
    return Object.freeze({ label: names.join('+'), names: Object.freeze([...(names as string[])]), type, itemType });
  });
  return Object.freeze({ keys: Object.freeze(keys), rules });
}
