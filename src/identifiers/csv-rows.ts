import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { parse, type Info } from 'csv-parse';
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

/**
 * Passes bytes through while noting where each line break ends (CRLF, LF or a
 * lone CR count once), so records can be given physical line numbers. Only
 * breaks not yet consumed are kept, which is bounded by the parser's buffer.
 */
class LineBreaks extends Transform {
  private offset = 0;
  private pendingCr = -1;
  private readonly breaks: number[] = [];
  private head = 0;
  private consumed = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x0a) {
        this.breaks.push(this.offset + i);
        this.pendingCr = -1;
      } else {
        if (this.pendingCr >= 0) this.breaks.push(this.pendingCr);
        this.pendingCr = b === 0x0d ? this.offset + i : -1;
      }
    }
    this.offset += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.pendingCr >= 0) this.breaks.push(this.pendingCr);
    done();
  }

  /** Line on which the byte before `end` lies: the last line of a record ending at `end`. */
  lineEndingAt(end: number): number {
    let last = -1;
    while (this.head < this.breaks.length && this.breaks[this.head]! < end) {
      last = this.breaks[this.head++]!;
      this.consumed++;
    }
    if (this.head > 4096) {
      this.breaks.splice(0, this.head);
      this.head = 0;
    }
    return last === end - 1 ? this.consumed : this.consumed + 1;
  }
}

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
  const lines = new LineBreaks();
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  source.on('error', (e: Error) => parser.destroy(new IdentifierError('CSV_UNREADABLE', `cannot read CSV input: ${e.message}`, { cause: e })));
  source.pipe(lines).pipe(parser);
  let lastLine = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      lastLine = lines.lineEndingAt(info.bytes);
      yield { line: lastLine - breaksIn(record), cells: record };
    }
  } catch (e) {
    if (e instanceof IdentifierError) throw e;
    const code = (e as { code?: unknown }).code;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      yield { line: lastLine + 1, cells: [], error: { code, reason: 'a quoted field is never closed; the rest of the file is unreadable' } };
      return;
    }
    if (code === 'CSV_MAX_RECORD_SIZE') {
      throw new IdentifierError('CSV_RECORD_TOO_LARGE', `the record after line ${lastLine} is over ${MAX_RECORD_BYTES} bytes (an unclosed quote?)`, { cause: e });
    }
    throw new IdentifierError('CSV_MALFORMED', `CSV parse error after line ${lastLine}: ${(e as Error).message}`, { cause: e });
  } finally {
    const closable = source as unknown as { destroy?: () => void };
    if (typeof closable.destroy === 'function') closable.destroy();
  }
}
