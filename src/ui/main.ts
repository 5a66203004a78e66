/**
 * The advertiser's page: picks the file, shows the guessed columns, renders
 * progress and the result. Every byte of the file is handled by the worker;
 * this thread only renders (docs/ui.md).
 * @module
 */
import type { KeyColumn } from '../identifiers/row-keys.js';
import type { Profile } from '../identifiers/types.js';
import type { ServiceTerms } from '../wire/terms.js';
import type { MatchOverHttpResult } from '../transport/client.js';
import { COLUMN_ROLES, guessRoles, keyColumns, type ColumnRole } from './columns.js';
import type { FromWorker, ReadSummary, ToWorker } from './messages.js';
import { buildReport, overlapText, platformLearns, SENT, youLearn, type PageReport } from './report.js';
import { serviceUrl } from './service-url.js';

/** Rejected rows listed on the page; the report and the count have them all (up to the worker's cap). */
const LISTED_ROWS = 100;

function $<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function show(id: string, text?: string): void {
  const el = $(id);
  if (text !== undefined) el.textContent = text;
  el.hidden = false;
}

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message: ToWorker) => worker.postMessage(message);

const state: {
  service?: string;
  terms?: ServiceTerms;
  file?: File;
  header: string[];
  columns: KeyColumn[];
  read?: ReadSummary;
  started: number;
  report?: PageReport;
} = { header: [], columns: [], started: 0 };

async function loadService(): Promise<void> {
  try {
    state.service = await serviceUrl(new URL(location.href), (url) => fetch(url, { cache: 'no-store' }));
    $('service').textContent = state.service;
    const reply = await fetch(new URL('v1/terms', state.service), { cache: 'no-store' });
    if (!reply.ok) throw new Error(`the service answered HTTP ${reply.status} to GET v1/terms`);
    state.terms = (await reply.json()) as ServiceTerms;
    $('platform-learns').textContent = platformLearns(state.terms.learn);
    $('you-learn').textContent = youLearn(state.terms);
  } catch (e) {
    show('service-error', `Cannot reach the service: ${(e as Error).message}`);
  }
}

function chooseFile(file: File | undefined): void {
  if (file === undefined) return;
  state.file = file;
  for (const id of ['columns-section', 'run-section', 'rejected-section', 'result-section', 'file-error']) $(id).hidden = true;
  send({ type: 'inspect', file });
}

function roleSelect(column: string, index: number, role: ColumnRole | null): HTMLSelectElement {
  const select = document.createElement('select');
  select.id = `role-${index}`;
  select.setAttribute('aria-label', `What column ${column} holds`);
  select.append(new Option('not used', ''));
  for (const [value, label] of COLUMN_ROLES) select.append(new Option(label, value, false, value === role));
  return select;
}

function renderColumns(header: string[], samples: string[][]): void {
  state.header = header;
  const roles = guessRoles(header, samples);
  const body = $('columns').querySelector('tbody')!;
  body.replaceChildren(
    ...header.map((name, i) => {
      const row = document.createElement('tr');
      const title = document.createElement('th');
      title.scope = 'row';
      title.textContent = name;
      const sample = document.createElement('td');
      sample.className = 'sample';
      sample.textContent = samples
        .slice(0, 3)
        .map((r) => r[i] ?? '')
        .join(', ');
      const holds = document.createElement('td');
      holds.append(roleSelect(name, i, roles[i] ?? null));
      row.append(title, sample, holds);
      return row;
    }),
  );
  $('columns-error').hidden = true;
  show('columns-section');
  $<HTMLButtonElement>('run').disabled = false;
}

function chosenRoles(): (ColumnRole | null)[] {
  return state.header.map((_, i) => ($<HTMLSelectElement>(`role-${i}`).value || null) as ColumnRole | null);
}

function run(event: SubmitEvent): void {
  // The form only gathers the options: nothing is ever posted anywhere.
  event.preventDefault();
  if (state.file === undefined) return;
  if (state.service === undefined || state.terms === undefined) {
    show('columns-error', 'The service cannot be reached: reload the page to try again.');
    return;
  }
  try {
    state.columns = keyColumns(state.header, chosenRoles());
  } catch (e) {
    show('columns-error', (e as Error).message);
    return;
  }
  $('columns-error').hidden = true;
  const country = $<HTMLInputElement>('country').value.trim().toUpperCase();
  const token = $<HTMLInputElement>('token').value.trim();
  for (const id of ['rejected-section', 'result-section']) $(id).hidden = true;
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('cancel').disabled = false;
  $('status').textContent = '';
  progress('Reading and normalising the file', 0, 1);
  show('run-section');
  state.started = performance.now();
  send({
    type: 'run',
    file: state.file,
    columns: state.columns,
    profile: $<HTMLSelectElement>('profile').value as Profile,
    server: state.service,
    ...(country === '' ? {} : { defaultCountry: country }),
    ...(token === '' ? {} : { token }),
  });
}

function progress(label: string, done: number, total: number): void {
  $('progress-label').textContent = label;
  const bar = $<HTMLProgressElement>('progress');
  bar.max = Math.max(total, 1);
  bar.value = Math.min(done, bar.max);
}

function renderRead(read: ReadSummary): void {
  state.read = read;
  const n = (x: number) => x.toLocaleString('en-US');
  const problems = read.rejectedCount + read.warningCount;
  if (problems === 0) return;
  const listed = [...read.rejected, ...read.warnings].sort((a, b) => a.line - b.line).slice(0, LISTED_ROWS);
  $('rejected')
    .querySelector('tbody')!
    .replaceChildren(
      ...listed.map((r) => {
        const row = document.createElement('tr');
        for (const text of [String(r.line), r.code, r.reason])
          row.append(Object.assign(document.createElement('td'), { textContent: text }));
        return row;
      }),
    );
  $('rejected-summary').textContent =
    `${n(read.rejectedCount)} of ${n(read.rowsRead)} rows have no identifier that normalises and are left out; ` +
    `${n(read.warningCount)} identifiers were refused in rows kept for their others.` +
    (problems > listed.length ? ` The first ${listed.length} are listed; the report has up to 1,000 of each.` : '');
  show('rejected-section');
}

function renderResult(result: MatchOverHttpResult): void {
  const n = (x: number) => x.toLocaleString('en-US');
  state.report = buildReport({
    service: state.service!,
    file: state.file!,
    columns: state.columns,
    read: state.read!,
    terms: state.terms!,
    result,
    elapsedMs: performance.now() - state.started,
  });
  $('overlap').textContent = overlapText(result);
  $('overlap-note').textContent = result.released?.note ?? '';
  const facts: [string, string][] = [
    ['Rows read', n(state.read!.rowsRead)],
    ['Customers sent, blinded', n(result.ownSize)],
    ["The platform's users", n(result.peerSize)],
    ['Session', result.sessionId],
  ];
  $('result-facts').replaceChildren(
    ...facts.flatMap(([term, value]) => [
      Object.assign(document.createElement('dt'), { textContent: term }),
      Object.assign(document.createElement('dd'), { textContent: value }),
    ]),
  );
  show('result-section');
  $('download').focus();
}

function download(): void {
  if (state.report === undefined) return;
  const blob = new Blob([`${JSON.stringify(state.report, null, 2)}\n`], { type: 'application/json' });
  const link = Object.assign(document.createElement('a'), {
    href: URL.createObjectURL(blob),
    download: `blindjoin-report-${state.report.session.sessionId}.json`,
  });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function finish(): void {
  $<HTMLButtonElement>('run').disabled = false;
  $<HTMLButtonElement>('cancel').disabled = true;
}

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'inspected':
      renderColumns(msg.header, msg.samples);
      break;
    case 'progress':
      progress(
        msg.phase === 'reading'
          ? 'Reading and normalising the file'
          : `Blinding and matching with the service: ${msg.done} of ${msg.total} messages sent`,
        msg.done,
        msg.total,
      );
      break;
    case 'read':
      renderRead(msg.summary);
      break;
    case 'done':
      finish();
      progress('Done', 1, 1);
      $('status').textContent = 'Matched.';
      renderResult(msg.result);
      break;
    case 'failed':
      finish();
      if ($('columns-section').hidden) show('file-error', `This file cannot be read: ${msg.message}`);
      else $('status').textContent = msg.code === 'ABORTED' ? 'Cancelled: nothing was matched.' : `Failed (${msg.code}): ${msg.message}`;
      break;
  }
});

// A worker that cannot load or crashes sends no 'failed': say so rather than leave the bar standing.
worker.addEventListener('error', (e) => {
  finish();
  show('file-error', `The page's worker failed: ${e.message || 'it could not be loaded'}. Reload the page to try again.`);
});

$('sent').textContent = SENT;
$<HTMLInputElement>('file').addEventListener('change', (e) => chooseFile((e.target as HTMLInputElement).files?.[0]));
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  chooseFile(e.dataTransfer?.files[0]);
});
$('options-form').addEventListener('submit', run);
$('cancel').addEventListener('click', () => {
  $('status').textContent = 'Cancelling…';
  send({ type: 'cancel' });
});
$('download').addEventListener('click', download);
void loadService();
