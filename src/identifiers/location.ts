import { getCountries } from 'libphonenumber-js';
import { IdentifierError } from './errors.js';
import { collapseSpaces, lowerUnicode } from './text.js';
import type { Profile } from './types.js';

/** Keeps letters and combining marks only: Meta's "no punctuation, no special characters, no spaces". */
function lettersOnly(text: string): string {
  return lowerUnicode(text).replace(/[^\p{L}\p{M}]+/gu, '');
}

/**
 * Normalises a city. Meta (and profiles without a rule of their own):
 * lowercase letters only, no spaces (`New York` -> `newyork`). Google:
 * lowercase with symbol characters removed and spaces kept.
 *
 * @example
 * ```ts
 * normalizeCity('New York', 'meta');   // 'newyork'
 * normalizeCity('New York', 'google'); // 'new york'
 * ```
 */
export function normalizeCity(text: string, profile: Profile): string {
  const city = profile === 'google' ? collapseSpaces(lowerUnicode(text).replace(/[\p{P}\p{S}]+/gu, ' ')) : lettersOnly(text);
  if (!/\p{L}/u.test(city) || /\p{N}/u.test(city)) throw new IdentifierError('CITY_INVALID', 'city must consist of letters');
  return city;
}

/** ANSI (USPS) codes of US states, DC and the inhabited territories, by letters-only name. */
const US_STATES: Record<string, string> = {
  alabama: 'al',
  alaska: 'ak',
  arizona: 'az',
  arkansas: 'ar',
  california: 'ca',
  colorado: 'co',
  connecticut: 'ct',
  delaware: 'de',
  districtofcolumbia: 'dc',
  florida: 'fl',
  georgia: 'ga',
  hawaii: 'hi',
  idaho: 'id',
  illinois: 'il',
  indiana: 'in',
  iowa: 'ia',
  kansas: 'ks',
  kentucky: 'ky',
  louisiana: 'la',
  maine: 'me',
  maryland: 'md',
  massachusetts: 'ma',
  michigan: 'mi',
  minnesota: 'mn',
  mississippi: 'ms',
  missouri: 'mo',
  montana: 'mt',
  nebraska: 'ne',
  nevada: 'nv',
  newhampshire: 'nh',
  newjersey: 'nj',
  newmexico: 'nm',
  newyork: 'ny',
  northcarolina: 'nc',
  northdakota: 'nd',
  ohio: 'oh',
  oklahoma: 'ok',
  oregon: 'or',
  pennsylvania: 'pa',
  rhodeisland: 'ri',
  southcarolina: 'sc',
  southdakota: 'sd',
  tennessee: 'tn',
  texas: 'tx',
  utah: 'ut',
  vermont: 'vt',
  virginia: 'va',
  washington: 'wa',
  westvirginia: 'wv',
  wisconsin: 'wi',
  wyoming: 'wy',
  americansamoa: 'as',
  guam: 'gu',
  northernmarianaislands: 'mp',
  puertorico: 'pr',
  usvirginislands: 'vi',
  virginislands: 'vi',
};

/**
 * Normalises a state or province: a US state name becomes its 2-letter ANSI
 * code (`California` -> `ca`), as Meta asks; anything else is lowercase
 * letters with no punctuation, special characters or spaces (Meta's rule for
 * states outside the US), which leaves 2-letter codes as they are.
 *
 * @example
 * ```ts
 * normalizeState('California'); // 'ca'
 * normalizeState('Île-de-France'); // 'îledefrance'
 * ```
 */
export function normalizeState(text: string): string {
  const letters = lettersOnly(text);
  if (letters === '' || /\p{N}/u.test(text)) throw new IdentifierError('STATE_INVALID', 'state must consist of letters');
  return US_STATES[letters] ?? letters;
}

/**
 * Normalises a postal code: a US ZIP or ZIP+4 becomes its first 5 digits
 * (Meta's rule; Google accepts 5 digits); others are lowercased with spaces
 * and dashes removed (Meta: UK `M1 1AE` -> `m11ae`).
 *
 * @example
 * ```ts
 * normalizeZip('94035-1234'); // '94035'
 * normalizeZip('M1 1AE');     // 'm11ae'
 * ```
 */
export function normalizeZip(text: string): string {
  const us = /^(\d{5})(?:[-\s]?\d{4})?$/.exec(text);
  if (us !== null) return us[1]!;
  const zip = lowerUnicode(text).replace(/[\s-]+/g, '');
  if (!/^[\p{L}\p{N}]{2,10}$/u.test(zip)) throw new IdentifierError('ZIP_INVALID', 'postal code must be 2 to 10 letters and digits');
  return zip;
}

let countryIndex: Map<string, string> | undefined;

/** Letters-only lowercase English names and codes of every country libphonenumber knows, to its code. */
function countries(): Map<string, string> {
  if (countryIndex !== undefined) return countryIndex;
  const index = new Map<string, string>();
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  for (const code of getCountries()) {
    const lower = code.toLowerCase();
    index.set(lower, lower);
    const name = names.of(code);
    if (name !== undefined) index.set(lettersOnly(name), lower);
  }
  // Common names that are not the CLDR English name.
  for (const [alias, code] of [
    ['usa', 'us'],
    ['unitedstatesofamerica', 'us'],
    ['uk', 'gb'],
    ['greatbritain', 'gb'],
  ] as const) {
    index.set(alias, code);
  }
  countryIndex = index;
  return index;
}

/**
 * Normalises a country to its lowercase ISO 3166-1 alpha-2 code (Meta's
 * rule), from the code or its English name (`United States` -> `us`, Meta's
 * example). Codes are those of libphonenumber's metadata: every country and
 * territory with a telephone numbering plan.
 *
 * @example
 * ```ts
 * normalizeCountry('United States'); // 'us'
 * ```
 */
export function normalizeCountry(text: string): string {
  const code = countries().get(lettersOnly(text));
  if (code === undefined || /\p{N}/u.test(text)) {
    throw new IdentifierError(
      'COUNTRY_INVALID',
      `country ${JSON.stringify(text)} is not an ISO 3166-1 alpha-2 code or English country name`,
    );
  }
  return code;
}
