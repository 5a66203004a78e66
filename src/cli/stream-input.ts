import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PsiError } from '../errors.js';
import { plannedColumnRows, plannedRows, type RejectedRow } from '../identifiers/csv.js';
import type { StreamedRow } from '../store/partition.js';
import type { StoreRows } from '../store/writer.js';
import { reportRejected, type InputPlan } from './input.js';
import { progressBar, type CliIo } from './io.js';

/** Input bytes per identifier assumed when sizing `prepare`'s buckets (a short e-mail row). */
const BYTES_PER_ITEM = 24;
/** Rejected rows kept to list on stderr; the rest are counted. */
const SHOWN = 10;

/**
 * The rows of `file` as `prepare` streams them (never the whole file in
 * memory), read as `plan` says: each accepted row with its identifiers, as
 * `loadInput` would give them (the identifier as written, or the kept
 * columns joined). Refused rows are counted and the first few listed on
 * stderr once the file is read, and a progress bar in bytes runs when a
 * person watches.
 *
 * @example
 * ```ts
 * const input = await streamInput('users.csv', resolveInput({ column: 'email', type: 'email' }), io);
 * await prepareStore('store', input);
 * ```
 */
export async function streamInput(file: string, plan: InputPlan, io: CliIo): Promise<StoreRows> {
  const size = await stat(file).then(
    (s) => s.size,
    (e: Error) => {
      throw new PsiError('INPUT_UNREADABLE', `cannot read ${file}: ${e.message}`, { cause: e });
    },
  );
  if (plan.values !== undefined) throw new PsiError('OPTIONS_INVALID', 'prepare keeps no value columns');
  const { read } = plan;
  async function* rows(): AsyncGenerator<StreamedRow> {
    const stream = createReadStream(file);
    const bar = progressBar(io, 'reading', 'bytes');
    const onProgress = () => bar.update(Math.min(stream.bytesRead, size), size);
    const shown: RejectedRow[] = [];
    let rejected = 0;
    let warnings = 0;
    let rowsRead = 0;
    const refuse = (r: RejectedRow) => {
      if (rejected++ < SHOWN) shown.push(r);
    };
    try {
      if ('rows' in read) {
        for await (const row of plannedRows(stream, { ...read.rows, onProgress })) {
          rowsRead++;
          if (row.rejected !== undefined) refuse(row.rejected);
          else {
            warnings += row.problems.length;
            yield { row: { line: row.line, value: row.kept.join(' '), cells: row.kept }, items: row.keys.map((k) => k.item) };
          }
        }
      } else {
        for await (const row of plannedColumnRows(stream, { ...read.column, onProgress })) {
          rowsRead++;
          row.rejected.forEach(refuse);
          for (const { item, cell } of row.items) yield { row: { line: row.line, value: cell }, items: [item] };
        }
      }
    } finally {
      bar.stop();
      stream.destroy();
    }
    if (rejected > 0) {
      io.err(`${file}: ${rejected} of ${rowsRead} rows rejected (no identifier that normalises; never stored or matched):\n`);
      reportRejected(io, shown);
      if (rejected > SHOWN) io.err(`  ... and ${rejected - SHOWN} more\n`);
    }
    if (warnings > 0) io.err(`${file}: ${warnings} identifiers refused in rows kept for their other identifiers\n`);
  }
  return {
    rows: rows(),
    ...('rows' in read ? { columns: [...plan.emit] } : {}),
    expectedItems: Math.ceil((size / BYTES_PER_ITEM) * plan.keyTypes.length),
  };
}
