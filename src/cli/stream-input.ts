import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PsiError } from '../errors.js';
import { identifierColumnRows, identifierRows, type RejectedRow } from '../files/csv.js';
import type { IdentifierType } from '../identifiers/types.js';
import type { StreamedRow } from '../store/partition.js';
import type { StoreRows } from '../store/writer.js';
import { keyColumn, keyColumns, reportRejected, type InputSpec } from './input.js';
import { progressBar, type CliIo } from './io.js';

/** Input bytes per identifier assumed when sizing `prepare`'s buckets (a short e-mail row). */
const BYTES_PER_ITEM = 24;
/** Rejected rows kept to list on stderr; the rest are counted. */
const SHOWN = 10;

/**
 * The rows of `spec.input` as `prepare` streams them (never the whole file in
 * memory): each accepted row with its identifiers, as `loadInput` would give
 * them (the identifier as written, or the kept columns joined). Refused rows
 * are counted and the first few listed on stderr once the file is read, and a
 * progress bar in bytes runs when a person watches.
 *
 * @example
 * ```ts
 * const input = await streamInput({ input: 'users.csv', column: 'email', type: 'email' }, io);
 * await prepareStore('store', input);
 * ```
 */
export async function streamInput(spec: InputSpec, io: CliIo): Promise<StoreRows> {
  const size = await stat(spec.input).then(
    (s) => s.size,
    (e: Error) => {
      throw new PsiError('INPUT_UNREADABLE', `cannot read ${spec.input}: ${e.message}`, { cause: e });
    },
  );
  if (spec.values !== undefined) throw new PsiError('OPTIONS_INVALID', 'prepare keeps no value columns');
  const columns = keyColumns(spec);
  const several = columns.length > 1 || spec.emit !== undefined || columns[0]!.names.length > 1;
  if (several && columns.some((c) => c.type === 'raw'))
    throw new PsiError('OPTIONS_INVALID', "'raw' columns match alone; with several columns use typed ones");
  const emit = spec.emit ?? columns.flatMap((c) => c.names);
  const common = {
    ...(spec.profile === undefined ? {} : { profile: spec.profile }),
    ...(spec.defaultCountry === undefined ? {} : { defaultCountry: spec.defaultCountry }),
    ...(spec.hashOf === undefined ? {} : { hashOf: spec.hashOf }),
  };
  async function* rows(): AsyncGenerator<StreamedRow> {
    const file = createReadStream(spec.input);
    const bar = progressBar(io, 'reading', 'bytes');
    const onProgress = () => bar.update(Math.min(file.bytesRead, size), size);
    const shown: RejectedRow[] = [];
    let rejected = 0;
    let warnings = 0;
    let rowsRead = 0;
    const refuse = (r: RejectedRow) => {
      if (rejected++ < SHOWN) shown.push(r);
    };
    try {
      if (several) {
        const read = identifierRows(file, { columns: columns.map(keyColumn), keep: emit, onProgress, ...common });
        for await (const row of read) {
          rowsRead++;
          if (row.rejected !== undefined) refuse(row.rejected);
          else {
            warnings += row.problems.length;
            yield { row: { line: row.line, value: row.kept.join(' '), cells: row.kept }, items: row.keys.map((k) => k.item) };
          }
        }
      } else {
        const type = columns[0]!.type as IdentifierType | 'sha256' | 'raw';
        for await (const row of identifierColumnRows(file, { column: spec.column, type, onProgress, ...common })) {
          rowsRead++;
          row.rejected.forEach(refuse);
          for (const { item, cell } of row.items) yield { row: { line: row.line, value: cell }, items: [item] };
        }
      }
    } finally {
      bar.stop();
      file.destroy();
    }
    if (rejected > 0) {
      io.err(`${spec.input}: ${rejected} of ${rowsRead} rows rejected (no identifier that normalises; never stored or matched):\n`);
      reportRejected(io, shown);
      if (rejected > SHOWN) io.err(`  ... and ${rejected - SHOWN} more\n`);
    }
    if (warnings > 0) io.err(`${spec.input}: ${warnings} identifiers refused in rows kept for their other identifiers\n`);
  }
  return {
    rows: rows(),
    ...(several ? { columns: emit } : {}),
    expectedItems: Math.ceil((size / BYTES_PER_ITEM) * columns.length),
  };
}
