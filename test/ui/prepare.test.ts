import { describe, expect, it } from 'vitest';
import type { CsvRow } from '../../src/identifiers/csv-records.js';
import { prepareRows } from '../../src/ui/prepare.js';
import { messyExport } from './messy-export.js';
import { parse } from 'csv-parse/sync';

async function* rowsOf(csv: string): AsyncGenerator<CsvRow> {
  const records: string[][] = parse(csv, { relax_column_count: true });
  let line = 0;
  for (const cells of records) yield { line: ++line, cells };
}

const options = {
  columns: [
    { name: 'E-mail Address', type: 'email' as const },
    { name: 'Phone Number', type: 'phone' as const },
  ],
  profile: 'meta' as const,
};

describe('prepareRows', () => {
  const data = messyExport(600);

  it('counts rows that add up: customers, repeats, rows with no valid identifier', async () => {
    const { summary, rows } = await prepareRows(rowsOf(data.csv(',')), { ...options, defaultCountry: 'US', countryColumn: 'Country' });
    expect(summary.rowsRead).toBe(data.rowsRead);
    expect(summary).toMatchObject({
      customers: data.customers,
      duplicateRows: data.duplicateRows,
      rejectedCount: data.rejected,
      unmatchedRows: 0,
    });
    expect(summary.customers + summary.duplicateRows + summary.rejectedCount + summary.unmatchedRows).toBe(summary.rowsRead);
    expect(rows).toHaveLength(summary.customers);
    expect(Object.values(summary.reasons).reduce((a, b) => a + b, 0)).toBe(summary.rejectedCount);
    expect(summary.columns.find((c) => c.label === 'Phone Number')!.valid).toBe(data.validPhones);
  });

  it("reads each phone number with its row's country; without the country column, the default country alone", async () => {
    const without = await prepareRows(rowsOf(data.csv(',')), { ...options, defaultCountry: 'US' });
    const phones = without.summary.columns.find((c) => c.label === 'Phone Number')!;
    // Most UK numbers written nationally are refused as US numbers (a few pass only misread, country code first, as Meta does).
    expect(phones.valid).toBeLessThan(data.validPhones - data.ukPhones / 2);
    expect(phones.refused).toBeGreaterThan(data.ukPhones / 2);
  });

  it('leaves out identifiers of types the service does not match on, and says how many rows that empties', async () => {
    const { summary } = await prepareRows(rowsOf(data.csv(',')), {
      ...options,
      defaultCountry: 'US',
      countryColumn: 'Country',
      keyTypes: ['email'],
    });
    expect(summary.columns.map((c) => c.matched)).toEqual([true, false]);
    expect(summary.unmatchedRows).toBeGreaterThan(0);
    expect(summary.customers + summary.duplicateRows + summary.rejectedCount + summary.unmatchedRows).toBe(summary.rowsRead);
  });
});
