import { isComposite, normalizeComposite } from './composite.js';
import { IdentifierError } from './errors.js';
import { normalizeEmail } from './email.js';
import { normalizeMaid } from './ids.js';
import { normalizeCity, normalizeCountry, normalizeState, normalizeZip } from './location.js';
import { normalizeDob, normalizeDobPart, normalizeGender, normalizeName, normalizeNamePart } from './person.js';
import { normalizePhone, phoneCountry } from './phone.js';
import { lowerUnicode, prepareText } from './text.js';
import { IDENTIFIER_TYPES, PROFILES, type IdentifierType, type NormalizeOptions, type Profile } from './types.js';

/**
 * Checks an identifier type given at runtime (e.g. from a CLI flag).
 *
 * @example
 * ```ts
 * checkType('email'); // 'email'
 * ```
 */
export function checkType(type: unknown): IdentifierType {
  if (!IDENTIFIER_TYPES.includes(type as IdentifierType)) {
    throw new IdentifierError('TYPE_UNKNOWN', `identifier type ${JSON.stringify(type)} is not one of ${IDENTIFIER_TYPES.join(', ')}`);
  }
  return type as IdentifierType;
}

/**
 * Checks a profile given at runtime; `undefined` means the default, `'meta'`.
 *
 * @example
 * ```ts
 * checkProfile(undefined); // 'meta'
 * ```
 */
export function checkProfile(profile: unknown): Profile {
  if (profile === undefined) return 'meta';
  if (!PROFILES.includes(profile as Profile)) {
    throw new IdentifierError('PROFILE_UNKNOWN', `profile ${JSON.stringify(profile)} is not one of ${PROFILES.join(', ')}`);
  }
  return profile as Profile;
}

/**
 * Turns a customer identifier into the exact text a platform hashes, using
 * the platform rules of `opts.profile` (default `'meta'`). Every rule and its
 * source is listed in docs/identifiers.md. A value that cannot be normalised
 * throws {@link IdentifierError}; the result is never a guess and never
 * empty, and normalising it again returns it unchanged.
 *
 * @example
 * ```ts
 * normalize(' John.Doe@GMAIL.com ', 'email');                     // 'john.doe@gmail.com'
 * normalize(' John.Doe@GMAIL.com ', 'email', { profile: 'uid2' }); // 'johndoe@gmail.com'
 * normalize('(650) 555-1212', 'phone', { defaultCountry: 'US' });  // '16505551212'
 * normalize('Mary Ann', 'f5first');                                // 'mary '
 * normalize(compositeKey('name_zip', ['John', 'Smith', '94035-1234']), 'name_zip'); // 'john\u001fsmith\u001f94035'
 * ```
 */
export function normalize(value: string, type: IdentifierType, opts?: NormalizeOptions): string {
  const kind = checkType(type);
  const profile = checkProfile(opts?.profile);
  const country = phoneCountry(opts?.defaultCountry);
  if (isComposite(kind)) return normalizeComposite(value, kind, (field, fieldType) => normalize(field, fieldType, opts));
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
      // Meta's parameter library lowercases external IDs and strips all whitespace;
      // this is what Meta hashes, so two IDs differing only in case are one ID.
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
