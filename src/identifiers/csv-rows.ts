import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
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

/** Largest record accepted; an unclosed quote would otherwise pull the rest of the file into memory. */
const MAX_RECORD_BYTES = 1 << 20;

/** Line breaks inside quoted fields (CRLF, LF or a lone CR count once each). */
function breaksIn(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
    for (let i = cell.indexOf('\r'); i >= 0; i = cell.indexOf('\r', i + 1)) if (cell[i + 1] !== '\n') n++;
  }
  return n;
}

function open(input: string | NodeJS.ReadableStream): NodeJS.ReadableStream {
  if (typeof input === 'string') return createReadStream(input);
  if (input !== null && typeof input === 'object' && typeof input.pipe === 'function') return input;
  throw new IdentifierError('CSV_UNREADABLE', 'CSV input must be a file path or a readable stream');
}

/**
 * Streams the records of a CSV file (path or byte stream), header first,
 * each with the physical line it starts on. UTF-8 and UTF-16LE byte-order
 * marks are honoured; CRLF, LF and quoted fields with commas and line breaks
 * are handled; blank lines are skipped; records of any width are returned
 * (the caller decides what a ragged row means). A quoted field left open at
 * the end of the file becomes an `error` row rather than a failure.
 *
 * @example
 * ```ts
 * for await (const row of csvRows('customers.csv')) console.log(row.line, row.cells);
 * ```
 */
export async function* csvRows(input: string | NodeJS.ReadableStream): AsyncGenerator<CsvRow> {
  const source = open(input);
  // Blank lines come through as [''] and are skipped here, so that every record,
  // blank or not, ends exactly one physical line: line numbers need no byte offsets.
  const parser = parse({ bom: true, relax_column_count: true, relax_quotes: true, max_record_size: MAX_RECORD_BYTES });
  source.on('error', (e: Error) =>
    parser.destroy(new IdentifierError('CSV_UNREADABLE', `cannot read CSV input: ${e.message}`, { cause: e })),
  );
  source.pipe(parser);
  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
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
  } finally {
    const closable = source as unknown as { destroy?: () => void };
    if (typeof closable.destroy === 'function') closable.destroy();
  }
}
