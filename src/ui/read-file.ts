import { parse } from 'csv-parse/browser/esm/sync';
import { CSV_PARSE_OPTIONS, numberedRows, type CsvRow } from '../identifiers/csv-records.js';
import { PsiError } from '../errors.js';
import { recordBatches } from './csv-batches.js';
import { detectSeparator, sniffFormat, type FileFormat } from './file-format.js';
import { sheetRows, sheetsOf } from './xlsx-rows.js';

/** Bytes the format and separator are judged from. */
const SNIFF_BYTES = 64 << 10;

/**
 * How a file is read: its format, and for text its field separator, for a
 * workbook the sheet (its name) and the sheets it has.
 *
 * @example
 * ```ts
 * const layout: FileLayout = { format: { kind: 'text', encoding: 'utf-8' }, separator: ';' };
 * ```
 */
export interface FileLayout {
  format: FileFormat;
  separator?: string;
  sheet?: string;
  sheets?: string[];
}

/**
 * Judges a picked file's layout from its first bytes: format and encoding
 * ({@link sniffFormat}), the separator of a CSV ({@link detectSeparator}),
 * the sheets of a workbook (the first chosen). Throws `INPUT_UNREADABLE`
 * with what to do for a file the page cannot read.
 *
 * @example
 * ```ts
 * const layout = await fileLayout(input.files[0]); // { format: { kind: 'xlsx' }, sheet: 'Customers', sheets: ['Customers'] }
 * ```
 */
export async function fileLayout(file: Blob): Promise<FileLayout> {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (head.length === 0) throw new PsiError('INPUT_UNREADABLE', 'the file is empty: choose the export with your customers in it.');
  const format = sniffFormat(head);
  if (format.kind === 'xlsx') {
    const sheets = await sheetsOf(file);
    return { format, sheets, sheet: sheets[0]! };
  }
  const text = new TextDecoder(format.encoding).decode(head.subarray(0, head.length - (head.length % 2)));
  return { format, separator: detectSeparator(text) };
}

/** The file's text chunk by chunk, reporting the bytes read so far. */
async function* textChunks(file: Blob, encoding: string, onBytes: (bytes: number) => void, signal?: AbortSignal): AsyncGenerator<string> {
  // fatal: text that is not in the file's encoding is refused, not read as replacement characters.
  const decoder = new TextDecoder(encoding, { fatal: true });
  const reader = file.stream().getReader();
  let bytes = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw new PsiError('ABORTED', 'cancelled');
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      onBytes(bytes);
      yield decode(decoder, value);
    }
    const rest = decode(decoder);
    if (rest !== '') yield rest;
  } finally {
    reader.releaseLock();
  }
}

function decode(decoder: TextDecoder, bytes?: Uint8Array): string {
  try {
    return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
  } catch {
    throw new PsiError(
      'INPUT_UNREADABLE',
      `part of the file is not ${decoder.encoding.toUpperCase()} text: save it again as "CSV UTF-8" (File > Save As in Excel).`,
    );
  }
}

async function* records(file: Blob, layout: FileLayout, onBytes: (bytes: number) => void, signal?: AbortSignal): AsyncGenerator<string[]> {
  const encoding = layout.format.kind === 'text' ? layout.format.encoding : 'utf-8';
  const delimiter = layout.separator ?? ',';
  for await (const { text, delimiter: recordDelimiter } of recordBatches(textChunks(file, encoding, onBytes, signal), delimiter)) {
    const batch: string[][] = parse(text, {
      ...CSV_PARSE_OPTIONS,
      delimiter,
      ...(recordDelimiter === undefined ? {} : { record_delimiter: recordDelimiter }),
    });
    yield* batch;
  }
}

/**
 * Streams a file picked in the browser as numbered records. A CSV is read as
 * the Node reader reads one (csv-parse, same options, same line numbers, the
 * layout's separator), a chunk at a time: memory holds one chunk's records,
 * not the file. A workbook's sheet is read whole (the format is a ZIP) and
 * its rows numbered as the spreadsheet numbers them. `onBytes` gets the bytes
 * read so far; `signal` stops the read with `ABORTED`.
 *
 * @example
 * ```ts
 * for await (const row of fileRows(file, await fileLayout(file))) console.log(row.line, row.cells);
 * ```
 */
export function fileRows(
  file: Blob,
  layout: FileLayout = { format: { kind: 'text', encoding: 'utf-8' } },
  onBytes: (bytes: number) => void = () => undefined,
  signal?: AbortSignal,
): AsyncGenerator<CsvRow> {
  if (layout.format.kind === 'xlsx') return sheetRows(file, layout.sheet, onBytes, signal);
  return numberedRows(records(file, layout, onBytes, signal));
}
