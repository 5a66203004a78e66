/**
 * Identifier types made of several fields, normalised field by field and
 * matched as one key (Google Customer Match's address match: names and
 * postcode, with or without the country).
 *
 * @example
 * ```ts
 * const t: CompositeType = 'name_zip';
 * ```
 */
export type CompositeType = 'name_zip' | 'name_zip_country';

/**
 * The kinds of customer identifier blindjoin can normalise. The names follow
 * the fields of the ad platforms' customer files (Meta `em`, `ph`, `fn`, ...,
 * and Meta's `fi`, `f5first`, `f5last`, `doby`, `dobm`, `dobd`), plus the
 * {@link CompositeType}s.
 *
 * @example
 * ```ts
 * const t: IdentifierType = 'email';
 * ```
 */
export type IdentifierType =
  | 'email'
  | 'phone'
  | 'first_name'
  | 'last_name'
  | 'city'
  | 'state'
  | 'zip'
  | 'country'
  | 'dob'
  | 'gender'
  | 'external_id'
  | 'maid'
  | 'fi'
  | 'f5first'
  | 'f5last'
  | 'doby'
  | 'dobm'
  | 'dobd'
  | CompositeType;

/**
 * Whose published normalisation rules to follow. They differ in details
 * (Gmail dots and +tags, a '+' in phone numbers); see docs/identifiers.md.
 *
 * @example
 * ```ts
 * const p: Profile = 'uid2';
 * ```
 */
export type Profile = 'meta' | 'google' | 'uid2' | 'pair';

/**
 * Every {@link IdentifierType}, in a fixed order.
 *
 * @example
 * ```ts
 * IDENTIFIER_TYPES.includes('email'); // true
 * ```
 */
export const IDENTIFIER_TYPES: readonly IdentifierType[] = Object.freeze([
  'email',
  'phone',
  'first_name',
  'last_name',
  'city',
  'state',
  'zip',
  'country',
  'dob',
  'gender',
  'external_id',
  'maid',
  'fi',
  'f5first',
  'f5last',
  'doby',
  'dobm',
  'dobd',
  'name_zip',
  'name_zip_country',
]);

/**
 * Every {@link Profile}; the first, `'meta'`, is the default.
 *
 * @example
 * ```ts
 * PROFILES[0]; // 'meta'
 * ```
 */
export const PROFILES: readonly Profile[] = Object.freeze(['meta', 'google', 'uid2', 'pair']);

/**
 * Options of {@link normalize}.
 *
 * @example
 * ```ts
 * const opts: NormalizeOptions = { profile: 'google', defaultCountry: 'GB' };
 * ```
 */
export interface NormalizeOptions {
  /** Platform rules to follow; default `'meta'`. */
  profile?: Profile | undefined;
  /** ISO 3166-1 alpha-2 country of phone numbers written without a country code. */
  defaultCountry?: string | undefined;
}
