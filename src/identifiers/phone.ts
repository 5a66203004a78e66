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
    throw new IdentifierError(
      'DEFAULT_COUNTRY_INVALID',
      `defaultCountry ${JSON.stringify(country)} is not an ISO 3166-1 alpha-2 code with a numbering plan`,
    );
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

/** What the UID2 operator takes as a normalised number: '+' and 10 to 15 digits. */
const UID2_NORMALISED = /^\+\d{10,15}$/;

/**
 * Normalises a phone number to E.164 with libphonenumber-js. Output form per
 * profile: Meta wants the digits with the country code and no '+'
 * (`16505551212`); Google, UID2 and PAIR want `+16505551212`.
 *
 * A number is read as international when it starts with '+'; otherwise as a
 * national number of `defaultCountry` (whose trunk and international
 * prefixes libphonenumber handles). For Meta and Google a number without '+'
 * that is not a valid national number (or comes without a default country)
 * is read country code first, leading zeros dropped, as both platforms' own
 * code does (Meta: "remove symbols, letters and any leading zeros"; Google's
 * formatter puts a '+' before the digits); Meta's output is that form, so
 * normalising twice is stable. UID2 and PAIR never guess: a national number
 * without a default country is `PHONE_COUNTRY_REQUIRED`.
 *
 * Validity is libphonenumber's `isValid()` on its default ("min") metadata,
 * except under UID2, whose operator accepts any '+' followed by 10 to 15
 * digits: such a number is taken as written rather than refused.
 *
 * @example
 * ```ts
 * normalizePhone('(650) 555-1212', 'meta', 'US');   // '16505551212'
 * normalizePhone('1-234-567-8910', 'meta');         // '12345678910'
 * normalizePhone('+1 650 555 1212', 'google');      // '+16505551212'
 * normalizePhone('+1234567890', 'uid2');            // '+1234567890'
 * ```
 */
export function normalizePhone(text: string, profile: Profile, defaultCountry?: CountryCode): string {
  const compact = text.replace(SEPARATORS, '');
  if (!/^\+?\p{Nd}+$/u.test(compact)) {
    throw new IdentifierError('PHONE_INVALID', 'phone number may only contain digits, a leading +, spaces and ( ) . - /');
  }
  let digits = parseIncompletePhoneNumber(compact);
  // Meta drops leading zeros even after a '+' ("+001 616 ..." in its SDK's tests).
  if (profile === 'meta' && digits.startsWith('+0')) digits = `+${digits.slice(1).replace(/^0+/, '')}`;
  const countryCodeFirst = profile === 'meta' || profile === 'google';
  let number: PhoneNumber | undefined;
  if (digits.startsWith('+')) {
    number = parseValid(digits);
    if (number === undefined && profile === 'uid2' && UID2_NORMALISED.test(digits)) return digits;
  } else {
    if (defaultCountry !== undefined) number = parseValid(digits, defaultCountry);
    if (number === undefined && countryCodeFirst) number = parseValid(`+${digits.replace(/^0+/, '')}`);
    if (number === undefined && defaultCountry === undefined) {
      const read = countryCodeFirst ? '; read country code first it is not a valid number either' : '';
      throw new IdentifierError('PHONE_COUNTRY_REQUIRED', `phone number has no country code (+...) and no defaultCountry was given${read}`);
    }
  }
  if (number === undefined) {
    throw new IdentifierError(
      'PHONE_INVALID',
      `phone number is not a valid number${defaultCountry ? ` (default country ${defaultCountry})` : ''}`,
    );
  }
  return profile === 'meta' ? number.number.slice(1) : number.number;
}
