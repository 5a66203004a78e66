import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { CSV_PARSE_OPTIONS, numberedRows, type CsvRow } from '../identifiers/csv-records.js';
import { IdentifierError } from '../identifiers/errors.js';

export type { CsvRow } from '../identifiers/csv-records.js';

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
  const parser = parse({ ...CSV_PARSE_OPTIONS });
  source.on('error', (e: Error) =>
    parser.destroy(new IdentifierError('CSV_UNREADABLE', `cannot read CSV input: ${e.message}`, { cause: e })),
  );
  source.pipe(parser);
  try {
    yield* numberedRows(parser as AsyncIterable<string[]>);
  } finally {
    const closable = source as unknown as { destroy?: () => void };
    if (typeof closable.destroy === 'function') closable.destroy();
  }
}
