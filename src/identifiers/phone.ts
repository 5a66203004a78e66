import {
  isSupportedCountry,
  parseIncompletePhoneNumber,
  parsePhoneNumberWithError,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js';
import { IdentifierError } from './errors.js';
import type { Profile } from './types.js';

/** Punctuation people write inside phone numbers: spaces, ( ) . - / and dash variants. */
const SEPARATORS = /[\s().\-/\u2010-\u2015\u2212]/gu;

/**
 * Checks and upper-cases a `defaultCountry` option.
 *
 * @example
 * ```ts
 * phoneCountry('us'); // 'US'
 * ```
 */
export function phoneCountry(country: string | undefined): CountryCode | undefined {
  if (country === undefined) return undefined;
  const code = typeof country === 'string' ? country.trim().toUpperCase() : '';
  if (!isSupportedCountry(code)) {
    throw new IdentifierError('DEFAULT_COUNTRY_INVALID', `defaultCountry ${JSON.stringify(country)} is not an ISO 3166-1 alpha-2 code with a numbering plan`);
  }
  return code;
}

/** A number libphonenumber parses and judges valid; `undefined` otherwise. */
function parseValid(digits: string, country?: CountryCode): PhoneNumber | undefined {
  try {
    const number = parsePhoneNumberWithError(digits, country === undefined ? undefined : { defaultCountry: country });
    return number.isValid() ? number : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Normalises a phone number to E.164 with libphonenumber-js. Output form per
 * profile: Meta wants the digits with the country code and no '+'
 * (`16505551212`); Google, UID2 and PAIR want `+16505551212`.
 *
 * A number is read as international when it starts with '+'; otherwise as a
 * national number of `defaultCountry` (whose trunk and international
 * prefixes libphonenumber handles). Without a default country a national
 * number is an error, never a guess, with one exception: in the Meta profile
 * a value of bare digits is Meta's own format, country code first, which is
 * also what this function returns for Meta, so normalising twice is stable.
 * Validity is libphonenumber's `isValid()` on its default ("min") metadata:
 * the length and leading digits fit the country's numbering plan.
 *
 * @example
 * ```ts
 * normalizePhone('(650) 555-1212', 'meta', 'US');   // '16505551212'
 * normalizePhone('+1 650 555 1212', 'google');      // '+16505551212'
 * ```
 */
export function normalizePhone(text: string, profile: Profile, defaultCountry?: CountryCode): string {
  const compact = text.replace(SEPARATORS, '');
  if (!/^\+?\p{Nd}+$/u.test(compact)) {
    throw new IdentifierError('PHONE_INVALID', 'phone number may only contain digits, a leading +, spaces and ( ) . - /');
  }
  const digits = parseIncompletePhoneNumber(compact);
  const metaDigits = profile === 'meta' && compact === text && !digits.startsWith('+');
  let number: PhoneNumber | undefined;
  if (digits.startsWith('+')) number = parseValid(digits);
  else {
    if (defaultCountry !== undefined) number = parseValid(digits, defaultCountry);
    // Meta's format: country code first, leading zeros (an international prefix) dropped.
    if (number === undefined && metaDigits) number = parseValid(`+${digits.replace(/^0+/, '')}`);
    if (number === undefined && defaultCountry === undefined) {
      const meta = metaDigits ? '; read as Meta-format digits (country code first) it is not a valid number either' : '';
      throw new IdentifierError('PHONE_COUNTRY_REQUIRED', `phone number has no country code (+...) and no defaultCountry was given${meta}`);
    }
  }
  if (number === undefined) {
    throw new IdentifierError('PHONE_INVALID', `phone number is not a valid number${defaultCountry ? ` (default country ${defaultCountry})` : ''}`);
  }
  return profile === 'meta' ? number.number.slice(1) : number.number;
}
