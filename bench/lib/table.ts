/**
 * Prints rows as an aligned plain-text table (numbers right-aligned), the same columns
 * in the order of the first row's keys.
 *
 * @example
 * ```ts
 * printTable([{ n: 1000, ms: 1.5 }]);
 * ```
 */
export function printTable(rows: Record<string, string | number | boolean>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((c) => String(row[c] ?? '')));
  const widths = columns.map((c, k) => Math.max(c.length, ...cells.map((r) => r[k]!.length)));
  const line = (values: string[], numeric: boolean[]) =>
    values.map((v, k) => (numeric[k] ? v.padStart(widths[k]!) : v.padEnd(widths[k]!))).join('  ');
  const numeric = columns.map((c) => typeof rows[0]![c] === 'number');
  console.log(line(columns, numeric));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) console.log(line(r, numeric));
}
