import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js';
import type { CsvRow } from '../identifiers/csv-records.js';
import { findColumn } from '../identifiers/identifier-rows.js';
import { normalizeWith } from '../identifiers/normalize.js';
import { resolveRules } from '../identifiers/plan.js';

/** A country is normalised alike under every profile and country: the default rules, resolved once. */
const COUNTRY_RULES = resolveRules(undefined);

/** The country code a cell names (`US`, `us`, `United States`), or `undefined`. */
function countryOf(cell: string | undefined): CountryCode | undefined {
  if (cell === undefined || cell.trim() === '') return undefined;
  try {
    return normalizeWith(cell, 'country', COUNTRY_RULES).toUpperCase() as CountryCode;
  } catch {
    return undefined;
  }
}

/** The number in E.164 when it is a valid national number of `country`; `undefined` otherwise. */
function international(cell: string, country: CountryCode): string | undefined {
  try {
    const number = parsePhoneNumberWithError(cell, { defaultCountry: country });
    return number.isValid() ? number.number : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives each row's phone numbers written without a country code the country
 * of the row's own country column: a cell that is a valid national number of
 * that country is rewritten in E.164 (`(650) 555-0100` with `US` becomes
 * `+16505550100`) before the rows are normalised; any other cell is left as
 * it is, for the normaliser to read with the default country or refuse. The
 * header row passes through; its names locate the columns.
 *
 * @example
 * ```ts
 * for await (const row of withRowCountry(fileRows(file), ['Phone Number'], 'Country')) use(row);
 * ```
 */
export async function* withRowCountry(
  rows: AsyncIterable<CsvRow>,
  phoneColumns: readonly string[],
  countryColumn: string,
): AsyncGenerator<CsvRow> {
  let at: { phones: number[]; country: number } | undefined;
  for await (const row of rows) {
    if (at === undefined && row.error === undefined) {
      at = { phones: phoneColumns.map((name) => findColumn(row.cells, name)), country: findColumn(row.cells, countryColumn) };
      yield row;
      continue;
    }
    const country = at === undefined || row.error !== undefined ? undefined : countryOf(row.cells[at.country]);
    if (country === undefined) {
      yield row;
      continue;
    }
    const cells = [...row.cells];
    for (const i of at!.phones) {
      const cell = cells[i]?.trim();
      if (cell === undefined || cell === '' || cell.startsWith('+')) continue;
      cells[i] = international(cell, country) ?? cells[i]!;
    }
    yield { ...row, cells };
  }
}
