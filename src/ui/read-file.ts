import { parse } from 'csv-parse/browser/esm/sync';
import { CSV_PARSE_OPTIONS, numberedRows, type CsvRow } from '../identifiers/csv-records.js';
import { PsiError } from '../errors.js';
import { recordBatches } from './csv-batches.js';

/** UTF-16LE files start with FF FE; everything else is read as UTF-8, as the Node reader does. */
async function encodingOf(file: Blob): Promise<string> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : 'utf-8';
}

/** The file's text chunk by chunk, reporting the bytes read so far. */
async function* textChunks(file: Blob, onBytes: (bytes: number) => void, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder(await encodingOf(file));
  const reader = file.stream().getReader();
  let bytes = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw new PsiError('ABORTED', 'cancelled');
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      onBytes(bytes);
      yield decoder.decode(value, { stream: true });
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } finally {
    reader.releaseLock();
  }
}

async function* records(file: Blob, onBytes: (bytes: number) => void, signal?: AbortSignal): AsyncGenerator<string[]> {
  for await (const { text, delimiter } of recordBatches(textChunks(file, onBytes, signal))) {
    const batch: string[][] = parse(text, { ...CSV_PARSE_OPTIONS, ...(delimiter === undefined ? {} : { record_delimiter: delimiter }) });
    yield* batch;
  }
}

/**
 * Streams a CSV file picked in the browser as numbered records, read as the
 * Node reader reads one (csv-parse, same options, same line numbers), a
 * chunk at a time: memory holds one chunk's records, not the file.
 * `onBytes` gets the bytes read so far; `signal` stops the read with `ABORTED`.
 *
 * @example
 * ```ts
 * for await (const row of fileRows(input.files[0], (n) => bar.value = n)) console.log(row.line, row.cells);
 * ```
 */
export function fileRows(file: Blob, onBytes: (bytes: number) => void = () => undefined, signal?: AbortSignal): AsyncGenerator<CsvRow> {
  return numberedRows(records(file, onBytes, signal));
}
