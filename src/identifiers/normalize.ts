import { checkType } from './checks.js';
import { isComposite, normalizeComposite } from './composite.js';
import { normalizeEmail } from './email.js';
import { normalizeMaid } from './ids.js';
import { normalizeCity, normalizeCountry, normalizeState, normalizeZip } from './location.js';
import { normalizeDob, normalizeDobPart, normalizeGender, normalizeName, normalizeNamePart } from './person.js';
import { normalizePhone } from './phone.js';
import { resolveRules, type NormalizeRules } from './plan.js';
import { lowerUnicode, prepareText } from './text.js';
import type { IdentifierType, NormalizeOptions } from './types.js';

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
  return normalizeWith(value, kind, resolveRules(opts));
}

/**
 * {@link normalize} under rules already resolved (`resolveRules`, or an
 * `IdentifierPlan`'s) and a type already checked: what every reader calls
 * per cell, so that no option is checked again. A composite's fields are
 * normalised under the same rules.
 *
 * @example
 * ```ts
 * const rules = resolveRules({ defaultCountry: 'US' });
 * normalizeWith('(650) 555-1212', 'phone', rules); // '16505551212'
 * ```
 */
export function normalizeWith(value: string, kind: IdentifierType, rules: NormalizeRules): string {
  const { profile, defaultCountry: country } = rules;
  if (isComposite(kind)) return normalizeComposite(value, kind, (field, fieldType) => normalizeWith(field, fieldType, rules));
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
