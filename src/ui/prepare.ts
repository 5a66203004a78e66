import type { CsvRow } from '../identifiers/csv-records.js';
import { checkKeep, identifierRowsOf } from '../identifiers/identifier-rows.js';
import { planIdentifiers } from '../identifiers/plan.js';
import type { RejectedRow, RowWarning } from '../identifiers/row-table.js';
import type { RowKeyInput } from '../transport/client.js';
import { amountOf } from './columns.js';
import { SHOWN_ROWS, type PrepareOptions, type ReadSummary } from './messages.js';
import { withRowCountry } from './row-country.js';

/**
 * A file's identifiers ready to match: one row of typed keys per customer
 * (repeated rows and keys of types the service does not match on left out)
 * and the counts the page shows.
 *
 * @example
 * ```ts
 * const { rows, summary } = await prepareRows(fileRows(file, layout), options);
 * ```
 */
export interface Prepared {
  rows: RowKeyInput[][];
  /** For each of `valueColumns`, one whole amount per row of `rows` (0 where the cell is not an amount). */
  values: Record<string, number[]>;
  summary: ReadSummary;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * Reads numbered records into the rows a match sends, counting as it goes so
 * that every figure adds up: each data row is a customer, a repeat of an
 * earlier row (the same identifiers), a row with no identifier that
 * normalises, or a row whose identifiers the service cannot match on. Phone
 * numbers take their row's country from `countryColumn` when it names one
 * ({@link withRowCountry}). `onRows` gets the rows read every 2,000.
 *
 * @example
 * ```ts
 * const { summary } = await prepareRows(fileRows(file, layout), { columns: [{ name: 'Email', type: 'email' }], profile: 'meta' });
 * summary.customers; // distinct rows with a usable identifier
 * ```
 */
export async function prepareRows(
  records: AsyncIterable<CsvRow>,
  options: PrepareOptions,
  onRows: (rows: number) => void = () => undefined,
): Promise<Prepared> {
  const plan = planIdentifiers(options.columns, options, 'OPTIONS_INVALID');
  const phones = plan.keys.filter((c) => c.type === 'phone').map((c) => c.names[0]!);
  const input =
    options.countryColumn === undefined || phones.length === 0 ? records : withRowCountry(records, phones, options.countryColumn);
  const matched = plan.keys.map((c) => options.keyTypes === undefined || options.keyTypes.includes(c.itemType));
  const valid = plan.keys.map(() => 0);
  const refused = new Map<string, number>();
  const rejected: RejectedRow[] = [];
  const warnings: RowWarning[] = [];
  const reasons: Record<string, number> = {};
  const seen = new Set<string>();
  const rows: RowKeyInput[][] = [];
  let rowsRead = 0;
  let rejectedCount = 0;
  let warningCount = 0;
  let duplicateRows = 0;
  let unmatchedRows = 0;
  const valueColumns = options.valueColumns ?? [];
  const values: Record<string, number[]> = Object.fromEntries(valueColumns.map((name) => [name, []]));
  for await (const row of identifierRowsOf(input, { identifiers: plan, keep: checkKeep(valueColumns) })) {
    rowsRead++;
    if (rowsRead % 2000 === 0) onRows(rowsRead);
    for (const p of row.problems) {
      refused.set(p.column, (refused.get(p.column) ?? 0) + 1);
      if (row.rejected === undefined) {
        warningCount++;
        if (warnings.length < SHOWN_ROWS) warnings.push({ line: row.line, ...p });
      }
    }
    for (const key of row.keys) valid[key.column]!++;
    if (row.rejected !== undefined) {
      rejectedCount++;
      reasons[row.rejected.code] = (reasons[row.rejected.code] ?? 0) + 1;
      if (rejected.length < SHOWN_ROWS) rejected.push(row.rejected);
      continue;
    }
    const keys = row.keys.filter((k) => matched[k.column]);
    if (keys.length === 0) {
      unmatchedRows++;
      continue;
    }
    const signature = [...new Set(keys.map((k) => `${k.type}:${hex(k.item)}`))].sort().join(' ');
    if (seen.has(signature)) {
      duplicateRows++;
      continue;
    }
    seen.add(signature);
    rows.push(keys.map((k) => ({ type: k.type, item: k.item })));
    valueColumns.forEach((name, i) => values[name]!.push(amountOf(row.kept[i] ?? '') ?? 0));
  }
  onRows(rowsRead);
  const columns = plan.keys.map((c, i) => ({
    label: c.label,
    type: c.type,
    valid: valid[i]!,
    refused: refused.get(c.label) ?? 0,
    matched: matched[i]!,
  }));
  return {
    rows,
    values,
    summary: {
      rowsRead,
      customers: rows.length,
      duplicateRows,
      rejectedCount,
      unmatchedRows,
      columns,
      reasons,
      rejected,
      warnings,
      warningCount,
    },
  };
}
