/**
 * The page's worker: reads the file, normalises, hashes and blinds its
 * identifiers and runs the whole session with the service, so that the page's
 * thread only renders. Nothing but blinded elements leaves it (docs/ui.md).
 * @module
 */
import { PsiError } from '../errors.js';
import { identifierTableOf } from '../identifiers/identifier-rows.js';
import { planKeys } from '../identifiers/row-keys.js';
import { matchWith, type RowKeyInput } from '../transport/client.js';
import { fetchPort } from '../transport/http-port.js';
import type { FromWorker, ReadSummary, ToWorker } from './messages.js';
import { SHOWN_ROWS } from './messages.js';
import { fileRows } from './read-file.js';

/** Sample rows the page guesses columns from. */
const SAMPLE_ROWS = 20;
/** Bytes read for the header and samples: a few rows of any sane file. */
const SAMPLE_BYTES = 64 << 10;

const post = (message: FromWorker) => postMessage(message);
let running: AbortController | undefined;

async function inspect(file: Blob): Promise<void> {
  const rows: string[][] = [];
  for await (const row of fileRows(file.slice(0, SAMPLE_BYTES))) {
    if (row.error !== undefined) break;
    rows.push(row.cells);
    if (rows.length > SAMPLE_ROWS + 1) break;
  }
  // The last row read from a cut-off sample may itself be cut off.
  if (file.size > SAMPLE_BYTES && rows.length <= SAMPLE_ROWS + 1) rows.pop();
  if (rows.length === 0) throw new PsiError('CSV_COLUMN_MISSING', 'the file has no header row');
  post({ type: 'inspected', header: rows[0]!, samples: rows.slice(1, SAMPLE_ROWS + 1) });
}

async function run(msg: Extract<ToWorker, { type: 'run' }>, signal: AbortSignal): Promise<void> {
  const total = msg.file.size;
  const table = await identifierTableOf(
    fileRows(msg.file, (done) => post({ type: 'progress', phase: 'reading', done, total }), signal),
    { columns: msg.columns, profile: msg.profile, ...(msg.defaultCountry === undefined ? {} : { defaultCountry: msg.defaultCountry }) },
  );
  const summary: ReadSummary = {
    rowsRead: table.rowsRead,
    accepted: table.count,
    distinct: table.keyCount - table.duplicates,
    duplicates: table.duplicates,
    rejected: table.rejected.slice(0, SHOWN_ROWS),
    rejectedCount: table.rejected.length,
    warnings: table.warnings.slice(0, SHOWN_ROWS),
    warningCount: table.warnings.length,
  };
  post({ type: 'read', summary });
  if (table.keyCount === 0) throw new PsiError('TOO_FEW_ITEMS', 'no row of the file has an identifier that normalises');
  // One row per customer, its keys typed, so figures count customers and keys the service lacks are left out.
  const { columns } = planKeys(msg.columns, { profile: msg.profile }, 'OPTIONS_INVALID');
  const rows = Array.from({ length: table.count }, (): RowKeyInput[] => []);
  for (let k = 0; k < table.keyCount; k++) {
    rows[table.keyRow[k]!]!.push({ type: columns[table.keyColumn[k]!]!.itemType, item: table.item(k) });
  }
  const result = await matchWith(fetchPort(), {
    server: msg.server,
    rows,
    signal,
    ...(msg.token === undefined ? {} : { token: msg.token }),
    onProgress: (p) => post({ type: 'progress', phase: 'matching', done: p.framesSent, total: p.framesKnown }),
  });
  post({ type: 'done', result });
}

function fail(e: unknown): void {
  const code = e instanceof PsiError ? e.code : 'INTERNAL';
  post({ type: 'failed', code, message: e instanceof Error ? e.message : String(e) });
}

addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') {
    running?.abort();
    return;
  }
  if (msg.type === 'inspect') {
    inspect(msg.file).catch(fail);
    return;
  }
  running?.abort();
  const controller = new AbortController();
  running = controller;
  run(msg, controller.signal)
    .catch(fail)
    .finally(() => {
      if (running === controller) running = undefined;
    });
});
