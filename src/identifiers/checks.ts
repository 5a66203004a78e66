import { IdentifierError } from './errors.js';
import { IDENTIFIER_TYPES, PROFILES, type IdentifierType, type Profile } from './types.js';

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
