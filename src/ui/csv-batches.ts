import { IdentifierError } from '../identifiers/errors.js';
import { MAX_RECORD_BYTES } from '../identifiers/csv-records.js';

/**
 * Text of whole CSV records, cut from a file read in chunks, and the record
 * delimiter the file uses (absent until the first one is seen).
 *
 * @example
 * ```ts
 * const batch: CsvBatch = { text: 'email\nann@example.com\n', delimiter: '\n' };
 * ```
 */
export interface CsvBatch {
  text: string;
  delimiter?: '\n' | '\r\n' | '\r';
}

/**
 * Cuts CSV text arriving in arbitrary chunks into batches that end exactly
 * where a record ends, so that csv-parse can parse each batch on its own and
 * give the records it would give for the whole file: a page can then parse a
 * large file with bounded memory, without a stream library. It tracks quotes
 * as csv-parse does with `relax_quotes` (a quote opens a field only at the
 * field's start, `""` inside one is a quote; fields are separated by
 * `separator`, default `,`) and cuts only at the file's
 * record delimiter, fixed, as csv-parse fixes it, by the first line break
 * outside quotes. A record longer than `MAX_RECORD_BYTES` (an unclosed
 * quote, most likely) throws `CSV_RECORD_TOO_LARGE`, as the Node reader does.
 *
 * @example
 * ```ts
 * for await (const { text, delimiter } of recordBatches(chunks)) records.push(...parse(text, { record_delimiter: delimiter }));
 * ```
 */
export async function* recordBatches(chunks: AsyncIterable<string>, separator = ','): AsyncGenerator<CsvBatch> {
  let pending = '';
  let at = 0; // next character of pending to scan
  let delimiter: CsvBatch['delimiter'];
  let quoted = false;
  let fieldStart = true;
  const batch = (text: string): CsvBatch => (delimiter === undefined ? { text } : { text, delimiter });
  /** Length of the record delimiter at `i`: 0 for none, -1 when the next character, not yet read, decides. */
  const delimiterAt = (i: number): number => {
    const c = pending[i];
    if (c !== '\n' && c !== '\r') return 0;
    if (delimiter === undefined) {
      if (c === '\n') delimiter = '\n';
      else if (i + 1 >= pending.length) return -1;
      else delimiter = pending[i + 1] === '\n' ? '\r\n' : '\r';
    }
    if (delimiter !== '\r\n') return c === delimiter ? 1 : 0;
    if (c !== '\r') return 0;
    if (i + 1 >= pending.length) return -1;
    return pending[i + 1] === '\n' ? 2 : 0;
  };
  for await (const chunk of chunks) {
    pending += chunk;
    let cut = 0;
    while (at < pending.length) {
      const c = pending[at]!;
      if (quoted) {
        if (c !== '"') {
          at++;
          continue;
        }
        if (at + 1 >= pending.length) break;
        const next = pending[at + 1];
        if (next === '"') {
          at += 2;
          continue;
        }
        const ends = next === separator ? 1 : delimiterAt(at + 1);
        if (ends < 0) break;
        // A closing quote not followed by a separator makes csv-parse (relax_quotes) read the field as unquoted text.
        quoted = false;
        fieldStart = false;
        at++;
        continue;
      }
      if (c === '"' && fieldStart) {
        quoted = true;
        fieldStart = false;
        at++;
        continue;
      }
      const ends = delimiterAt(at);
      if (ends < 0) break;
      if (ends > 0) {
        at += ends;
        cut = at;
        fieldStart = true;
        continue;
      }
      fieldStart = c === separator;
      at++;
    }
    if (cut > 0) {
      yield batch(pending.slice(0, cut));
      pending = pending.slice(cut);
      at -= cut;
    }
    if (pending.length > MAX_RECORD_BYTES) {
      throw new IdentifierError('CSV_RECORD_TOO_LARGE', `a record is over ${MAX_RECORD_BYTES} bytes (an unclosed quote?)`);
    }
  }
  if (pending !== '') yield batch(pending);
}
