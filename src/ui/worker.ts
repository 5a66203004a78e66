/**
 * The page's worker: reads the file, normalises, hashes and blinds its
 * identifiers and runs the whole session with the service, so that the page's
 * thread only renders. Nothing but blinded elements leaves it (docs/ui.md).
 * @module
 */
import { PsiError } from '../errors.js';
import { installBlindingThreads } from '../group/threads.js';
import { matchWith, type MatchOverHttpOptions } from '../transport/client.js';
import { fetchPort, type HttpPort } from '../transport/http-port.js';
import { blindingWorkerCount, webBlindingThreads, type WebBlindingThreads } from './blinding-threads.js';
import { checkColumns, guessRoles } from './columns.js';
import { keySeedFor } from './key-seed.js';
import type { FromWorker, Phase, PrepareOptions, ToWorker } from './messages.js';
import { prepareRows, type Prepared } from './prepare.js';
import { fileLayout, fileRows, type FileLayout } from './read-file.js';
import { sameFile } from './same-file.js';

/** Sample rows the page guesses columns from and checks their values with. */
const SAMPLE_ROWS = 200;

const post = (message: FromWorker) => postMessage(message);

/**
 * The session blinds on module workers started from this one (nested dedicated
 * workers), one per core up to 4; where a browser offers no Worker here, on this
 * thread as before.
 */
const threads: WebBlindingThreads | undefined =
  typeof Worker === 'undefined'
    ? undefined
    : webBlindingThreads(
        () => new Worker(new URL('./blinding.js', import.meta.url), { type: 'module', name: 'blinding' }),
        blindingWorkerCount(navigator.hardwareConcurrency),
      );
installBlindingThreads(threads);
let running: AbortController | undefined;
/** The last file prepared, and how: a match of the same file and options sends these rows without reading it again. */
let cache: { file: Blob; key: string; prepared: Prepared } | undefined;

async function inspect(msg: Extract<ToWorker, { type: 'inspect' }>): Promise<void> {
  const detected = await fileLayout(msg.file);
  const layout: FileLayout = {
    ...detected,
    ...(msg.separator === undefined ? {} : { separator: msg.separator }),
    ...(msg.sheet === undefined ? {} : { sheet: msg.sheet }),
  };
  const rows: string[][] = [];
  const sample = layout.format.kind === 'xlsx' ? msg.file : msg.file.slice(0, 256 << 10);
  for await (const row of fileRows(sample, layout)) {
    if (row.error !== undefined) break;
    rows.push(row.cells);
    if (rows.length > SAMPLE_ROWS + 1) break;
  }
  // The last row read from a cut-off sample may itself be cut off.
  if (sample.size < msg.file.size && rows.length <= SAMPLE_ROWS + 1) rows.pop();
  if (rows.length === 0) throw new PsiError('CSV_COLUMN_MISSING', 'the file has no header row');
  const header = rows[0]!;
  const samples = rows.slice(1, SAMPLE_ROWS + 1);
  const guess = { profile: msg.profile, defaultCountry: msg.defaultCountry };
  post({
    type: 'inspected',
    layout,
    header,
    samples,
    roles: guessRoles(header, samples, guess),
    checks: checkColumns(header, samples, guess),
  });
}

async function prepare(file: Blob, layout: FileLayout, options: PrepareOptions, signal: AbortSignal): Promise<Prepared> {
  const key = JSON.stringify([layout, options]);
  if (cache !== undefined && sameFile(cache.file, file) && cache.key === key) return cache.prepared;
  cache = undefined;
  const total = file.size;
  const records = fileRows(file, layout, (done) => post({ type: 'progress', phase: 'reading', done, total }), signal);
  const prepared = await prepareRows(records, options, (done) => post({ type: 'progress', phase: 'normalising', done }));
  cache = { file, key, prepared };
  return prepared;
}

/**
 * A port that tells the page when a request goes out, when its answer is in, and
 * that until the next request this computer works on the answer (the own set
 * blinded, the platform's elements re-blinded, the comparison).
 */
function watchedPort(port: HttpPort, phase: (phase: Phase, done: number) => void): HttpPort {
  let working: ReturnType<typeof setTimeout> | undefined;
  return {
    async request(method, url, init) {
      clearTimeout(working);
      const sending = init.body !== undefined && init.body.length > 0;
      if (sending) phase('sending', init.body!.length);
      // The page cannot see a request's upload end; once fetch has the body, the wait is the platform's.
      const waiting = setTimeout(() => phase('waiting', init.body?.length ?? 0), 0);
      try {
        const answer = await port.request(method, url, init);
        phase('receiving', answer.body.length);
        // Once the session has taken the answer in, the work is this computer's until the next request.
        working = setTimeout(() => phase('blinding', 0), 0);
        return answer;
      } finally {
        clearTimeout(waiting);
      }
    },
    close: () => port.close(),
  };
}

async function run(msg: Extract<ToWorker, { type: 'run' }>, signal: AbortSignal): Promise<void> {
  const { rows, values, summary } = await prepare(msg.file, msg.layout, msg.options, signal);
  post({ type: 'prepared', summary });
  if (rows.length === 0) throw new PsiError('TOO_FEW_ITEMS', 'no row of the file has an identifier that normalises');
  const keys = rows.reduce((n, row) => n + row.length, 0);
  post({ type: 'progress', phase: 'blinding', done: 0, keys });
  const keySeed = await keySeedFor(new URL(msg.server).origin);
  const options: MatchOverHttpOptions = {
    server: msg.server,
    rows,
    signal,
    ...(msg.token === undefined ? {} : { token: msg.token }),
    ...(msg.audience === undefined ? {} : { audience: msg.audience }),
    ...(Object.keys(values).length === 0 && msg.platformSums !== true
      ? {}
      : { measure: { ...(msg.platformSums === true ? { platformColumns: 'all' as const } : {}), values } }),
    // The advertiser's secret (docs/ui.md): same secret and list, same bytes, same figure.
    ...(keySeed === undefined ? {} : { keySeed }),
  };
  const port = watchedPort(fetchPort(), (phase, done) => post({ type: 'progress', phase, done, keys }));
  const result = await matchWith(port, options);
  const blinding = { workers: threads?.size ?? 0, used: threads?.threadsUsed() ?? 0 };
  post({ type: 'done', result, keySeedKept: keySeed !== undefined, blinding });
}

function fail(stage: 'inspect' | 'prepare' | 'run'): (e: unknown) => void {
  return (e) => {
    const code = e instanceof PsiError ? e.code : 'INTERNAL';
    post({ type: 'failed', stage, code, message: e instanceof Error ? e.message : String(e) });
  };
}

function start(work: (signal: AbortSignal) => Promise<void>, stage: 'prepare' | 'run'): void {
  running?.abort();
  const controller = new AbortController();
  running = controller;
  work(controller.signal)
    .catch((e: unknown) => {
      // A prepare replaced by a newer one is not a failure worth showing.
      if (!(stage === 'prepare' && controller.signal.aborted)) fail(stage)(e);
    })
    .finally(() => {
      if (running === controller) running = undefined;
    });
}

addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'cancel') running?.abort();
  else if (msg.type === 'inspect') inspect(msg).catch(fail('inspect'));
  else if (msg.type === 'prepare')
    start(async (signal) => {
      const { summary } = await prepare(msg.file, msg.layout, msg.options, signal);
      if (!signal.aborted) post({ type: 'prepared', summary });
    }, 'prepare');
  else start((signal) => run(msg, signal), 'run');
});
