import { getCountries, getCountryCallingCode } from 'libphonenumber-js';

/**
 * Every country with a telephone numbering plan, as `[code, label]` sorted by
 * label: "United States (+1)", for the page's default-country drop-down.
 *
 * @example
 * ```ts
 * select.append(...countryOptions().map(([code, label]) => new Option(label, code)));
 * ```
 */
export function countryOptions(): [string, string][] {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  return getCountries()
    .map((code): [string, string] => [code, `${names.of(code) ?? code} (+${getCountryCallingCode(code)})`])
    .sort((a, b) => a[1].localeCompare(b[1], 'en'));
}

/**
 * The country the browser's languages name first (`en-GB` -> `GB`), among
 * those with a numbering plan; `US` when none does.
 *
 * @example
 * ```ts
 * preferredCountry(['fr-FR', 'en']); // 'FR'
 * ```
 */
export function preferredCountry(languages: readonly string[]): string {
  const known = new Set<string>(getCountries());
  for (const language of languages) {
    try {
      const region = new Intl.Locale(language).maximize().region;
      if (region !== undefined && known.has(region)) return region;
    } catch {
      // not a language tag
    }
  }
  return 'US';
}
