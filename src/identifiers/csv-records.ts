import { IdentifierError } from './errors.js';

/**
 * One CSV record with the 1-based physical line it starts on, or a record
 * the parser could not read (`error` set, `cells` empty).
 *
 * @example
 * ```ts
 * const row: CsvRow = { line: 2, cells: ['jane@example.com'] };
 * ```
 */
export interface CsvRow {
  line: number;
  cells: string[];
  error?: { code: string; reason: string };
}

/**
 * Largest record accepted; an unclosed quote would otherwise pull the rest of the file into memory.
 *
 * @example
 * ```ts
 * if (pending.length > MAX_RECORD_BYTES) throw tooLarge();
 * ```
 */
export const MAX_RECORD_BYTES = 1 << 20;

/**
 * csv-parse's options wherever blindjoin reads a CSV, Node or browser, so both
 * read a file alike: byte-order marks honoured, rows of any width returned
 * (the caller decides what a ragged row means), stray quotes kept as text.
 *
 * @example
 * ```ts
 * const parser = parse(CSV_PARSE_OPTIONS);
 * ```
 */
export const CSV_PARSE_OPTIONS = Object.freeze({
  bom: true,
  relax_column_count: true,
  relax_quotes: true,
  max_record_size: MAX_RECORD_BYTES,
});

/** Line breaks inside quoted fields (CRLF, LF or a lone CR count once each). */
function breaksIn(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
    for (let i = cell.indexOf('\r'); i >= 0; i = cell.indexOf('\r', i + 1)) if (cell[i + 1] !== '\n') n++;
  }
  return n;
}

/**
 * Numbers the records csv-parse produced (with {@link CSV_PARSE_OPTIONS}) by
 * the physical line each starts on, skips blank lines, and turns the parser's
 * failures into `IdentifierError`s, or, for a quote left open at the end, an
 * `error` row. Platform-neutral: the Node reader and the browser page share it.
 *
 * @example
 * ```ts
 * for await (const row of numberedRows(parser)) console.log(row.line, row.cells);
 * ```
 */
export async function* numberedRows(records: AsyncIterable<string[]>): AsyncGenerator<CsvRow> {
  // Blank lines come through as [''] and are skipped here, so that every record,
  // blank or not, ends exactly one physical line: line numbers need no byte offsets.
  let line = 1;
  try {
    for await (const record of records) {
      const start = line;
      line += 1 + breaksIn(record);
      if (record.length === 1 && record[0] === '') continue;
      yield { line: start, cells: record };
    }
  } catch (e) {
    if (e instanceof IdentifierError) throw e;
    const code = (e as { code?: unknown }).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      yield { line, cells: [], error: { code, reason: 'a quoted field is never closed; the rest of the file is unreadable' } };
      return;
    }
    if (code === 'CSV_MAX_RECORD_SIZE') {
      throw new IdentifierError(
        'CSV_RECORD_TOO_LARGE',
        `the record starting on line ${line} is over ${MAX_RECORD_BYTES} bytes (an unclosed quote?)`,
        { cause: e },
      );
    }
    throw new IdentifierError('CSV_MALFORMED', `CSV parse error in the record starting on line ${line}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
