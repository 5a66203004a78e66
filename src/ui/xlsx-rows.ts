import readXlsxFile from 'read-excel-file/web-worker';
import type { CsvRow } from '../identifiers/csv-records.js';
import { PsiError } from '../errors.js';

/** Numbers are kept as the text Excel stored (a phone number stored as a number keeps every digit). */
const OPTIONS = { parseNumber: (text: string) => text, trim: false };

/** A cell as text: dates as YYYY-MM-DD (as a CSV export writes them), numbers as stored, empty as ''. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function unreadable(e: unknown): PsiError {
  if (e instanceof PsiError) return e;
  return new PsiError(
    'INPUT_UNREADABLE',
    'this Excel file cannot be read (it may be password-protected or damaged): open it in Excel and save it again as ' +
      '"Excel Workbook (.xlsx)" or "CSV UTF-8".',
  );
}

/** The last workbook read: inspecting, counting and matching a file parse it once. */
let last: { file: Blob; sheets: Promise<{ sheet: string; data: readonly (readonly unknown[])[] }[]> } | undefined;

function workbook(file: Blob): Promise<{ sheet: string; data: readonly (readonly unknown[])[] }[]> {
  if (last?.file !== file) {
    // From the bytes: read-excel-file's streaming of a File of more than one chunk never settles in a worker.
    const sheets = file
      .arrayBuffer()
      .then((bytes) => readXlsxFile<string>(bytes, OPTIONS))
      .then(
        (all) => all.map((s) => ({ sheet: s.sheet, data: s.data })),
        (e: unknown) => {
          throw unreadable(e);
        },
      );
    last = { file, sheets };
  }
  return last.sheets;
}

/**
 * The names of a workbook's sheets, in order. Throws `INPUT_UNREADABLE` for a
 * file that is not a readable .xlsx.
 *
 * @example
 * ```ts
 * await sheetsOf(file); // ['Customers', 'Notes']
 * ```
 */
export async function sheetsOf(file: Blob): Promise<string[]> {
  return (await workbook(file)).map((s) => s.sheet);
}

/**
 * The rows of one sheet of an .xlsx workbook (the first when `sheet` is
 * absent) as numbered records, numbered as the spreadsheet numbers them,
 * with read-excel-file (fflate and a SAX parser: no Node built-ins, fit for a
 * worker). The workbook is parsed once per file and kept while it is the
 * file in use. Blank rows are skipped, as in a CSV.
 *
 * @example
 * ```ts
 * for await (const row of sheetRows(file, 'Customers')) console.log(row.line, row.cells);
 * ```
 */
export async function* sheetRows(
  file: Blob,
  sheet: string | undefined,
  onBytes: (bytes: number) => void = () => undefined,
  signal?: AbortSignal,
): AsyncGenerator<CsvRow> {
  const sheets = await workbook(file);
  const data = (sheet === undefined ? sheets[0] : sheets.find((s) => s.sheet === sheet))?.data;
  if (data === undefined) throw new PsiError('INPUT_UNREADABLE', `the workbook has no sheet ${JSON.stringify(sheet)}`);
  onBytes(file.size);
  for (let i = 0; i < data.length; i++) {
    if (signal?.aborted) throw new PsiError('ABORTED', 'cancelled');
    const cells = data[i]!.map(cellText);
    if (cells.every((c) => c === '')) continue;
    yield { line: i + 1, cells };
  }
}
