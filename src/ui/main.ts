/**
 * The advertiser's page: picks the file, shows the checked column guesses and
 * what is allowed before Match, renders progress and the result. Every byte
 * of the file is handled by the worker; this thread only renders (docs/ui.md).
 * @module
 */
import type { KeyColumn } from '../identifiers/row-keys.js';
import type { Profile } from '../identifiers/types.js';
import type { MatchOverHttpResult } from '../transport/client.js';
import { barChart, funnelBars, shareChart } from './chart.js';
import { COLUMN_ROLES, countryColumnOf, keyColumns, offered, valueColumnsOf, type ColumnCheck, type ColumnRole } from './columns.js';
import { countryOptions, preferredCountry } from './countries.js';
import { SEPARATORS, TEMPLATE_CSV } from './file-format.js';
import type { FromWorker, Phase, PrepareOptions, ReadSummary, ToWorker } from './messages.js';
import { plainError, reasonLabel } from './plain-errors.js';
import { PHASES, phaseText, remainingText } from './progress-text.js';
import type { FileLayout } from './read-file.js';
import { buildReport, platformLearns, reportCsv, resultWords, SENT, youLearn, type PageReport } from './report.js';
import { serviceUrl } from './service-url.js';
import { budgetText, gateReason, type PageTerms } from './terms-view.js';

/** Rejected rows listed on the page; the report and the count have them all (up to the worker's cap). */
const LISTED_ROWS = 100;
const n = (x: number) => x.toLocaleString('en-US');

function $<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function show(id: string, text?: string): void {
  const el = $(id);
  if (text !== undefined) el.textContent = text;
  el.hidden = false;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className !== undefined) el.className = className;
  return el;
}

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message: ToWorker) => worker.postMessage(message);

const state: {
  service?: string;
  terms?: PageTerms;
  reachable: boolean;
  tokenRefused: boolean;
  audiences: boolean;
  file?: File;
  layout?: FileLayout;
  header: string[];
  checks: ColumnCheck[];
  options?: PrepareOptions | undefined;
  columnsProblem?: string | undefined;
  summary?: ReadSummary | undefined;
  running: boolean;
  started: number;
  phase?: Phase | undefined;
  phaseStarted: number;
  keys: number;
  timer?: ReturnType<typeof setInterval>;
  shownGate?: string | null;
  report?: PageReport;
} = {
  reachable: true,
  tokenRefused: false,
  audiences: false,
  header: [],
  checks: [],
  running: false,
  started: 0,
  phaseStarted: 0,
  keys: 0,
};

/** Shows a failure in plain words in box `id`, the code behind "Details", and moves focus (and the view) to it. */
function showProblem(id: string, code: string, message: string, title?: string): void {
  const plain = plainError(code);
  const box = $(id);
  const details = make('details');
  details.append(make('summary', 'Details'), make('p', `Code ${code}: ${message}`, 'code'));
  box.replaceChildren(make('p', title ?? plain.title, 'problem-title'), make('p', plain.todo), details);
  box.hidden = false;
  box.focus();
  box.scrollIntoView({ block: 'center' });
}

function token(): string {
  return $<HTMLInputElement>('token').value.trim();
}

function authHeaders(): Record<string, string> {
  return token() === '' ? {} : { authorization: `Bearer ${token()}` };
}

async function fetchTerms(): Promise<void> {
  const url = new URL('v1/terms', state.service);
  let reply = await fetch(url, { cache: 'no-store', headers: authHeaders() });
  state.tokenRefused = reply.status === 401 && token() !== '';
  if (state.tokenRefused) reply = await fetch(url, { cache: 'no-store' });
  if (!reply.ok) throw new Error(`the service answered HTTP ${reply.status} to GET v1/terms`);
  state.terms = (await reply.json()) as PageTerms;
}

/** Whether the service keeps named audiences for this token: GET v1/audiences answers (a 401 could be either, so it counts as no). */
async function probeAudiences(): Promise<void> {
  try {
    const reply = await fetch(new URL('v1/audiences', state.service), { cache: 'no-store', headers: authHeaders() });
    state.audiences = reply.ok;
  } catch {
    state.audiences = false;
  }
  $('audience').hidden = !state.audiences;
  $('audience-label').hidden = !state.audiences;
}

function renderTerms(): void {
  const terms = state.terms;
  if (terms === undefined) return;
  $('platform-learns').textContent = platformLearns(terms.learn);
  $('you-learn').textContent = youLearn(terms);
  const facts = [
    ...(terms.users === undefined ? [] : [`The platform has ${n(terms.users)} users.`]),
    `It matches lists of at least ${n(terms.minItems)} customers.`,
    ...(terms.tokenRequired === true ? ['It requires the access token it gave you.'] : []),
  ];
  $('terms-facts').replaceChildren(...facts.map((f) => make('li', f)));
  $('token-label').textContent = `Access token from the platform (${terms.tokenRequired === true ? 'required' : 'optional'})`;
  $('budget').textContent = terms.budget === undefined ? '' : budgetText(terms.budget);
  const platformColumns = Object.keys(terms.values ?? {});
  $('sums-field').hidden = platformColumns.length === 0;
  $('platform-sums-label').textContent =
    `Also ask the platform for its sums over the matched customers (${platformColumns.join(', ')}; each sum is one more noised figure)`;
  updateGate();
}

async function loadService(): Promise<void> {
  try {
    state.service = await serviceUrl(new URL(location.href), (url) => fetch(url, { cache: 'no-store' }));
    $('service').textContent = state.service;
    await fetchTerms();
    state.reachable = true;
    $('service-error').hidden = true;
    renderTerms();
    await probeAudiences();
  } catch (e) {
    state.reachable = false;
    updateGate();
    showProblem('service-error', 'SERVICE_UNREACHABLE', (e as Error).message);
  }
}

function chooseFile(file: File | undefined): void {
  if (file === undefined) return;
  state.file = file;
  state.summary = undefined;
  for (const id of ['columns-section', 'run-section', 'rejected-section', 'result-section', 'file-error', 'layout']) $(id).hidden = true;
  inspect();
}

function inspect(override: { separator?: string; sheet?: string } = {}): void {
  if (state.file === undefined) return;
  send({
    type: 'inspect',
    file: state.file,
    ...override,
    profile: $<HTMLSelectElement>('profile').value as Profile,
    defaultCountry: $<HTMLSelectElement>('country').value,
  });
}

function renderLayout(layout: FileLayout): void {
  state.layout = layout;
  const separator = $<HTMLSelectElement>('separator');
  const sheet = $<HTMLSelectElement>('sheet');
  if (layout.format.kind === 'xlsx') {
    $('layout-text').textContent =
      `Read as an Excel workbook${(layout.sheets?.length ?? 0) > 1 ? ` with ${layout.sheets!.length} sheets` : ''}.`;
    sheet.replaceChildren(...(layout.sheets ?? []).map((s) => new Option(s, s, false, s === layout.sheet)));
    $('sheet-field').hidden = false;
    $('separator-field').hidden = true;
  } else {
    const encoding = layout.format.encoding === 'utf-8' ? 'UTF-8' : 'UTF-16';
    $('layout-text').textContent = `Read as CSV text (${encoding}).`;
    separator.replaceChildren(...SEPARATORS.map(([value, label]) => new Option(label, value, false, value === layout.separator)));
    $('separator-field').hidden = false;
    $('sheet-field').hidden = true;
  }
  show('layout');
}

function roleSelect(column: string, index: number, role: ColumnRole | null, check: ColumnCheck | undefined): HTMLSelectElement {
  const select = document.createElement('select');
  select.id = `role-${index}`;
  select.setAttribute('aria-label', `What column ${column} holds`);
  select.append(new Option('not used', ''));
  for (const [value, label] of COLUMN_ROLES) {
    const allowed = value !== 'value' || state.terms?.advertiserValues === true;
    const ok = allowed && offered(check, value);
    const share = !allowed
      ? ' (not offered by this platform)'
      : check === undefined || check.filled === 0
        ? ''
        : ` (${Math.round(100 * check.shares[value])}% valid)`;
    const option = new Option(ok ? label : `${label}${share}`, value, false, value === role);
    option.disabled = !ok && value !== role;
    select.append(option);
  }
  select.addEventListener('change', schedulePrepare);
  return select;
}

function renderColumns(header: string[], samples: string[][], roles: (ColumnRole | null)[], checks: ColumnCheck[]): void {
  state.header = header;
  state.checks = checks;
  const body = $('columns').querySelector('tbody')!;
  body.replaceChildren(
    ...header.map((name, i) => {
      const row = make('tr');
      const title = make('th', name);
      title.scope = 'row';
      const sample = make(
        'td',
        samples
          .slice(0, 3)
          .map((r) => r[i] ?? '')
          .join(', '),
        'sample',
      );
      const holds = make('td');
      holds.append(roleSelect(name, i, roles[i] ?? null, checks[i]));
      row.append(title, sample, holds);
      return row;
    }),
  );
  $('columns-error').hidden = true;
  show('columns-section');
  schedulePrepare();
}

function chosenRoles(): (ColumnRole | null)[] {
  return state.header.map((_, i) => ($<HTMLSelectElement>(`role-${i}`).value || null) as ColumnRole | null);
}

/** The options of the columns as now chosen, or why they make no identifier. */
function currentOptions(): PrepareOptions | string {
  const roles = chosenRoles();
  let columns: KeyColumn[];
  try {
    columns = keyColumns(state.header, roles);
  } catch (e) {
    return `${(e as Error).message[0]!.toUpperCase()}${(e as Error).message.slice(1)}.`;
  }
  const countryColumn = countryColumnOf(state.header, roles);
  $('country-note').textContent = countryColumn === undefined ? '' : ` (used when a row's ${countryColumn} is empty or unknown)`;
  return {
    columns,
    profile: $<HTMLSelectElement>('profile').value as Profile,
    defaultCountry: $<HTMLSelectElement>('country').value,
    ...(countryColumn === undefined ? {} : { countryColumn }),
    ...(valueColumnsOf(state.header, roles).length === 0 ? {} : { valueColumns: valueColumnsOf(state.header, roles) }),
    ...(state.terms?.keyTypes === undefined ? {} : { keyTypes: state.terms.keyTypes }),
  };
}

function schedulePrepare(): void {
  if (state.file === undefined || state.layout === undefined || state.running) return;
  const options = currentOptions();
  state.summary = undefined;
  if (typeof options === 'string') {
    state.columnsProblem = options;
    state.options = undefined;
  } else {
    state.columnsProblem = undefined;
    state.options = options;
    $('counts-text').textContent = 'Counting the customers in your file…';
    $('column-counts').hidden = true;
    send({ type: 'prepare', file: state.file, layout: state.layout, options });
  }
  updateGate();
}

function renderCounts(s: ReadSummary): void {
  state.summary = s;
  const parts = [`${n(s.rowsRead)} rows: ${n(s.customers)} customers to match`];
  if (s.duplicateRows > 0) parts.push(`${n(s.duplicateRows)} repeat an earlier row`);
  if (s.rejectedCount > 0) parts.push(`${n(s.rejectedCount)} have no valid identifier`);
  if (s.unmatchedRows > 0) parts.push(`${n(s.unmatchedRows)} have only identifiers this platform does not use`);
  $('counts-text').textContent = `${parts.join(', ')}.`;
  $('column-counts')
    .querySelector('tbody')!
    .replaceChildren(
      ...s.columns.map((c) => {
        const row = make('tr');
        const th = make('th', c.matched ? c.label : `${c.label} (not used by this platform)`);
        th.scope = 'row';
        row.append(th, make('td', n(c.valid)), make('td', n(c.refused)));
        return row;
      }),
    );
  $('column-counts').hidden = false;
  renderRejected(s);
  // The counts just moved the Match button: a reason that stops it is brought back into view.
  state.shownGate = null;
  updateGate();
}

function updateGate(): void {
  if (state.running) return;
  const reason = gateReason({
    ...(state.terms === undefined ? {} : { terms: state.terms }),
    reachable: state.reachable,
    token: token(),
    tokenRefused: state.tokenRefused,
    ...(state.summary === undefined ? {} : { customers: state.summary.customers }),
    ...(state.columnsProblem === undefined ? {} : { columnsProblem: state.columnsProblem }),
  });
  $<HTMLButtonElement>('run').disabled = reason !== null || state.file === undefined;
  $('gate').textContent = reason ?? '';
  $('gate').classList.toggle('blocked', reason !== null);
  // A reason that newly stops Match is brought into view, next to the button it explains.
  // Not while a result is shown: the reader is reading it.
  // A reason given before the file was read (a token the terms ask for) is brought into view once the button shows.
  if (
    reason !== null &&
    reason !== state.shownGate &&
    !$('columns-section').hidden &&
    $('result-section').hidden &&
    !reason.endsWith('…')
  ) {
    $('gate').scrollIntoView({ block: 'nearest' });
    state.shownGate = reason;
  }
  if (reason === null) state.shownGate = null;
}

function renderPhases(): void {
  const now = performance.now();
  const current = state.phase === undefined ? -1 : PHASES.findIndex(([p]) => p === state.phase);
  const stopped = !state.running && current >= 0;
  $('phases').replaceChildren(
    ...PHASES.map(([, label], i) => {
      if (stopped && i === current) return make('li', `${label}: stopped`, 'stopped');
      const item = make('li', label, i < current ? 'done' : i === current ? 'current' : 'todo');
      if (i === current) item.setAttribute('aria-current', 'step');
      return item;
    }),
  );
  const elapsed = (now - state.started) / 1000;
  const left = remainingText(state.phase, state.keys, (now - state.phaseStarted) / 1000);
  $('timing').textContent = `Elapsed ${elapsed.toFixed(0)} s${left === '' ? '' : ` · ${left}`}`;
}

function onProgress(msg: Extract<FromWorker, { type: 'progress' }>): void {
  if (!state.running) return;
  if (msg.keys !== undefined) state.keys = msg.keys;
  // The estimate counts from the first blinding after the file's phases: the page blinds again after each answer.
  const firstBlinding = msg.phase === 'blinding' && (state.phase === 'reading' || state.phase === 'normalising');
  if (msg.phase !== state.phase && (firstBlinding || state.phase === undefined)) state.phaseStarted = performance.now();
  state.phase = msg.phase;
  $('progress-label').textContent = phaseText(msg.phase, msg.done, msg.total, state.keys);
  const bar = $<HTMLProgressElement>('progress');
  const at = PHASES.findIndex(([p]) => p === msg.phase);
  const within = msg.total === undefined || msg.total === 0 ? 0.5 : Math.min(1, msg.done / msg.total);
  bar.max = PHASES.length;
  bar.value = at + within;
  renderPhases();
}

function run(event: SubmitEvent): void {
  // The form only gathers the options: nothing is ever posted anywhere.
  event.preventDefault();
  if (state.file === undefined || state.layout === undefined || state.service === undefined) return;
  const options = currentOptions();
  if (typeof options === 'string') {
    showProblem('columns-error', 'OPTIONS_INVALID', options, options);
    return;
  }
  for (const id of ['result-section', 'run-error', 'columns-error']) $(id).hidden = true;
  state.running = true;
  state.phase = undefined;
  state.started = performance.now();
  state.phaseStarted = state.started;
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('cancel').disabled = false;
  $('status').textContent = '';
  $('progress-label').textContent = 'Starting';
  show('run-section');
  renderPhases();
  state.timer = setInterval(renderPhases, 500);
  $('run-section').scrollIntoView({ block: 'start' });
  const audience = $<HTMLInputElement>('audience').value.trim();
  send({
    type: 'run',
    file: state.file,
    layout: state.layout,
    options,
    server: state.service,
    ...(token() === '' ? {} : { token: token() }),
    ...(audience === '' || !state.audiences ? {} : { audience: { name: audience } }),
    ...(!$('sums-field').hidden && $<HTMLInputElement>('platform-sums').checked ? { platformSums: true } : {}),
  });
}

function renderRejected(s: ReadSummary): void {
  const listed = [...s.rejected, ...s.warnings].sort((a, b) => a.line - b.line).slice(0, LISTED_ROWS);
  if (listed.length === 0) {
    $('rejected-section').hidden = true;
    return;
  }
  $('rejected')
    .querySelector('tbody')!
    .replaceChildren(
      ...listed.map((r) => {
        const row = make('tr');
        row.append(make('td', String(r.line)), make('td', `${reasonLabel(r.code)}: ${r.reason}`));
        return row;
      }),
    );
  $('rejected-summary').textContent =
    `${n(s.rejectedCount)} of ${n(s.rowsRead)} rows have no valid identifier and are left out; ` +
    `${n(s.warningCount)} identifiers were not valid in rows kept for their others.` +
    (s.rejectedCount + s.warningCount > listed.length ? ` The list shows the first ${listed.length}.` : '');
  show('rejected-section');
}

function fact(term: string, value: string): HTMLElement[] {
  return [make('dt', term), make('dd', value)];
}

async function renderAudience(name: string): Promise<void> {
  try {
    const reply = await fetch(new URL(`v1/audiences/${encodeURIComponent(name)}`, state.service), {
      cache: 'no-store',
      headers: authHeaders(),
    });
    if (!reply.ok) return;
    const audience = (await reply.json()) as { users?: number; history?: { at: string; change: string; users?: number }[] };
    $('audience-text').textContent = `Saved on the platform as "${name}".`;
    $('audience-history').replaceChildren(
      ...(audience.history ?? []).map((h) =>
        make('li', `${new Date(h.at).toLocaleString('en-GB')}: ${h.change}${h.users === undefined ? '' : ` (${n(h.users)} users)`}`),
      ),
    );
    show('audience-box');
  } catch {
    // The audience is the platform's to keep; its history is a courtesy.
  }
}

function renderResult(result: MatchOverHttpResult & { audience?: { name?: string; usable?: unknown }; budget?: unknown }): void {
  const terms = state.terms!;
  const read = state.summary!;
  const words = resultWords(result, terms.policy?.threshold ?? 100);
  state.report = buildReport({
    service: state.service!,
    file: state.file!,
    columns: state.options?.columns ?? [],
    read,
    terms,
    result,
    elapsedMs: performance.now() - state.started,
  });
  $('overlap').textContent = words.headline;
  $('range').textContent = words.range;
  $('usable').textContent = words.usable;
  const share = $('share-figure');
  share.replaceChildren();
  if (words.figure !== undefined) {
    share.append(shareChart(document, { figure: words.figure, low: words.low!, high: words.high!, total: result.ownSize }));
  }
  const funnel = funnelBars({
    rowsRead: read.rowsRead,
    valid: read.rowsRead - read.rejectedCount,
    sent: result.ownSize,
    ...(words.figure === undefined
      ? {}
      : { matched: words.figure, matchedText: result.released === undefined ? n(words.figure) : `about ${n(words.figure)}` }),
  });
  $('funnel-figure').replaceChildren(
    make('figcaption', 'From your file to the platform, in rows'),
    barChart(document, 'funnel', 'From your file to the platform', funnel),
  );
  const reasons = Object.entries(read.reasons).sort((a, b) => b[1] - a[1]);
  $('reasons-figure').hidden = reasons.length === 0;
  if (reasons.length > 0) {
    const bars = reasons.map(([code, count]) => ({ label: reasonLabel(code), value: count, text: n(count) }));
    $('reasons-figure').replaceChildren(
      make('figcaption', 'Why rows were left out'),
      barChart(document, 'reasons', 'Why rows were left out', bars),
    );
  }
  const aggregates = (result as { aggregates?: { columns?: Record<string, { value: number | null }> } }).aggregates;
  $('sums-box').hidden = aggregates?.columns === undefined;
  if (aggregates?.columns !== undefined) {
    $('sums').replaceChildren(
      ...Object.entries(aggregates.columns).flatMap(([name, figure]) => {
        const whose = state.options?.valueColumns?.includes(name) === true ? 'your' : "the platform's";
        const value = figure.value === null ? 'too small to release' : `${result.released === undefined ? '' : 'about '}${n(figure.value)}`;
        return fact(`${name} (${whose} column)`, value);
      }),
    );
  }
  $('result-facts').replaceChildren(
    ...fact('Customers sent, as the platform counted them', n(result.ownSize)),
    // Only terms.users counts users; a service without it gives its distinct identifiers, which say something else.
    ...(terms.users === undefined ? fact("The platform's identifiers", n(result.peerSize)) : fact("The platform's users", n(terms.users))),
    ...(result.released === undefined ? [] : fact('How the figure was made', result.released.note)),
    ...(result.released === undefined ? [] : fact('Privacy cost of this match (epsilon)', String(result.released.epsilon))),
    ...fact('What you learnt / what the platform learnt', `${result.learn} / ${result.peerLearns}`),
    ...(result.leftOut === undefined ? [] : fact('Identifier types the platform does not use', result.leftOut.join(', '))),
    ...fact('Session id', result.sessionId),
  );
  $('audience-box').hidden = true;
  const audienceName = $<HTMLInputElement>('audience').value.trim();
  if (state.audiences && audienceName !== '') void renderAudience(audienceName);
  show('result-section');
  $('result-h').focus();
  $('result-section').scrollIntoView({ block: 'start' });
}

function save(body: string, type: string, name: string): void {
  const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([body], { type })), download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function finish(): void {
  state.running = false;
  clearInterval(state.timer);
  $<HTMLButtonElement>('cancel').disabled = true;
  updateGate();
}

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'inspected':
      renderLayout(msg.layout);
      renderColumns(msg.header, msg.samples, msg.roles, msg.checks);
      break;
    case 'progress':
      onProgress(msg);
      break;
    case 'prepared':
      renderCounts(msg.summary);
      break;
    case 'done': {
      const ms = performance.now() - state.phaseStarted;
      if (state.keys > 0) localStorage.setItem('blindjoin-ms-per-key', String(ms / state.keys));
      finish();
      state.phase = undefined;
      $('progress-label').textContent = 'Done';
      $('status').textContent = `Matched in ${((performance.now() - state.started) / 1000).toFixed(0)} s.`;
      // For whoever checks where the work ran (test/ui/page-match.test.ts): workers started, workers that blinded.
      $('status').dataset.blindingWorkers = `${msg.blinding.used}/${msg.blinding.workers}`;
      renderResult(msg.result);
      void fetchTerms().then(renderTerms, () => undefined);
      break;
    }
    case 'failed':
      if (msg.stage === 'inspect') {
        showProblem('file-error', msg.code, msg.message, `This file cannot be read: ${msg.message}`);
        break;
      }
      if (msg.stage === 'prepare') {
        state.columnsProblem = `${plainError(msg.code).title} (${msg.message})`;
        updateGate();
        break;
      }
      finish();
      renderPhases();
      $('progress-label').textContent = 'Stopped';
      $('timing').textContent = '';
      if (msg.code === 'ABORTED') $('status').textContent = 'Cancelled: nothing was matched.';
      else {
        $('status').textContent = 'The match failed.';
        showProblem('run-error', msg.code, msg.message);
        if (msg.code === 'BUDGET_EXCEEDED' || msg.code === 'UNAUTHORIZED') void fetchTerms().then(renderTerms, () => undefined);
      }
      break;
  }
});

// A worker that cannot load or crashes sends no 'failed': say so rather than leave the bar standing.
worker.addEventListener('error', (e) => {
  finish();
  showProblem(
    'file-error',
    'INTERNAL',
    e.message || 'the worker could not be loaded',
    "The page's worker failed. Reload the page to try again.",
  );
});

$('sent').textContent = SENT;
const country = $<HTMLSelectElement>('country');
country.replaceChildren(...countryOptions().map(([code, label]) => new Option(label, code)));
country.value = preferredCountry(navigator.languages);
$<HTMLAnchorElement>('template').href = URL.createObjectURL(new Blob([TEMPLATE_CSV], { type: 'text/csv' }));
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
$('separator').addEventListener('change', () => inspect({ separator: $<HTMLSelectElement>('separator').value }));
$('sheet').addEventListener('change', () => inspect({ sheet: $<HTMLSelectElement>('sheet').value }));
for (const id of ['profile', 'country']) $(id).addEventListener('change', schedulePrepare);
let tokenTimer: ReturnType<typeof setTimeout> | undefined;
$('token').addEventListener('input', () => {
  updateGate();
  clearTimeout(tokenTimer);
  tokenTimer = setTimeout(() => {
    if (state.service !== undefined)
      void fetchTerms()
        .then(renderTerms, () => undefined)
        .then(probeAudiences);
  }, 400);
});
$('options-form').addEventListener('submit', run);
$('cancel').addEventListener('click', () => {
  $('status').textContent = 'Cancelling…';
  send({ type: 'cancel' });
});
$('download').addEventListener('click', () => {
  if (state.report !== undefined)
    save(`${JSON.stringify(state.report, null, 2)}\n`, 'application/json', `blindjoin-report-${state.report.session.sessionId}.json`);
});
$('download-csv').addEventListener('click', () => {
  if (state.report !== undefined) save(reportCsv(state.report), 'text/csv', `blindjoin-report-${state.report.session.sessionId}.csv`);
});
$('print').addEventListener('click', () => window.print());
void loadService();
