import { describeReleased } from '../disclosure/release.js';
import type { KeyColumn } from '../identifiers/row-keys.js';
import type { MatchOverHttpResult } from '../transport/client.js';
import type { Reveal } from '../wire/reveal.js';
import type { ReadSummary } from './messages.js';
import type { PageTerms } from './terms-view.js';

/**
 * The JSON report the page offers for download: the file (name and counts,
 * never its contents), the service and its terms, and what this side learnt,
 * in words and in figures.
 *
 * @example
 * ```ts
 * const blob = new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' });
 * ```
 */
export interface PageReport {
  generatedAt: string;
  service: string;
  file: { name: string; bytes: number };
  /** Labels of the key columns matched on, e.g. `email` or `fn+ln+zip`. */
  columns: string[];
  read: ReadSummary;
  terms: PageTerms;
  session: { sessionId: string; learn: Reveal; peerLearns: Reveal };
  result: {
    /** Distinct customers (rows with an identifier) this side sent, blinded. */
    ownSize: number;
    /** The platform's number of users, when it publishes it (`terms.users`). */
    platformUsers?: number;
    /** The platform's distinct identifiers (or rows) as the session announced them: not its users. */
    platformIdentifiers: number;
    /** Customers found by any of their identifiers: only from a service with exact disclosure. */
    size?: number;
    /** Under a disclosure policy: the noised figure released, with its note. */
    released?: MatchOverHttpResult['released'];
    /** The page's reading of the result: the figure shown, its 95% range, the sentences. */
    words: ResultWords;
  };
  audience?: unknown;
  budget?: unknown;
  /** What left the machine, in one sentence. */
  sent: string;
  elapsedMs: number;
}

/**
 * What left the advertiser's machine: the same sentence on the page and in the report.
 *
 * @example
 * ```ts
 * element.textContent = SENT;
 * ```
 */
export const SENT =
  'Only blinded identifiers (each one hashed, then raised to a secret key that never leaves this page) and their count; ' +
  'no email, phone, name, postcode or hash of one.';

const n = (x: number) => x.toLocaleString('en-US');

/**
 * The page's headline figure: what the advertiser learnt about the overlap,
 * in words. A released figure reads "about 2,500" or "fewer than 100", never
 * as exact; an exact count reads as one.
 *
 * @example
 * ```ts
 * overlapText({ sessionId: 'ab', learn: 'size', peerLearns: 'intersection', ownSize: 1000, peerSize: 5000, size: 250 });
 * // '250 of your 1,000 customers are platform users (25.0%, exact)'
 * ```
 */
export function overlapText(result: Omit<MatchOverHttpResult, 'matches'>): string {
  const { released, size, ownSize } = result;
  if (released !== undefined) {
    const rate = released.rate === undefined ? '' : ` (${released.rate.text})`;
    return `${describeReleased(released)} of your ${n(ownSize)} customers are platform users${rate}`;
  }
  if (size !== undefined) {
    const percent = ownSize === 0 ? '0.0' : ((100 * size) / ownSize).toFixed(1);
    return `${n(size)} of your ${n(ownSize)} customers are platform users (${percent}%, exact)`;
  }
  return 'The service does not reveal the overlap to you.';
}

/**
 * What the platform learns from a session under its terms, in words.
 *
 * @example
 * ```ts
 * platformLearns('intersection'); // 'which of its users are on your list (to target them), and how many customers you sent'
 * ```
 */
export function platformLearns(learn: Reveal): string {
  const count = 'how many customers you sent';
  if (learn === 'intersection') return `which of its users are on your list (to target them), and ${count}`;
  if (learn === 'size') return `how many of its users are on your list, and ${count}`;
  return `only ${count}`;
}

/**
 * What the advertiser learns under the service's terms, in words.
 *
 * @example
 * ```ts
 * youLearn({ peerLearns: 'released', policy: { epsilon: 0.25, threshold: 100, significantDigits: 2 } } as PageTerms);
 * ```
 */
export function youLearn(terms: Pick<PageTerms, 'peerLearns' | 'policy'>): string {
  if (terms.peerLearns === 'released' && terms.policy !== undefined) {
    const { threshold, significantDigits } = terms.policy;
    const parts = ['with random noise added so that no single customer can be detected'];
    if (significantDigits !== null) parts.push('rounded');
    if (threshold !== null) parts.push(`not given below ${n(threshold)}`);
    return `about how many of your customers are on the platform: a figure ${parts.join(', ')}; never who`;
  }
  if (terms.peerLearns === 'intersection') return 'which of your customers the platform knows';
  if (terms.peerLearns === 'size') return 'exactly how many of your customers the platform knows, never who';
  return 'nothing about the overlap';
}

/**
 * The result in plain words: the headline ("About 1,800 of your 5,000
 * customers (36%) are on the platform"), the 95% range, and whether the
 * audience is large enough to target. The figure shown is never above the
 * list size (noise can push a released value past it) and the range is
 * clamped to 0..list size, since the true count lies there.
 *
 * @example
 * ```ts
 * resultWords({ ownSize: 5000, released: { value: 1800, threshold: 100, interval95: [1700, 1900] } } as never).headline;
 * // 'About 1,800 of your 5,000 customers (36%) are on the platform.'
 * ```
 */
export function resultWords(
  result: Pick<MatchOverHttpResult, 'ownSize' | 'size' | 'released'> & { audience?: { usable?: unknown } },
  threshold = 100,
): ResultWords {
  const { ownSize, released, size } = result;
  const percent = (x: number) => (ownSize === 0 ? 0 : Math.round((100 * x) / ownSize));
  const usableFlag = typeof result.audience?.usable === 'boolean' ? result.audience.usable : undefined;
  const usableText = (usable: boolean, limit: number | null) =>
    usable
      ? 'The matched audience is large enough to use for targeting.'
      : `The matched audience is too small to use for targeting${limit === null ? '' : ` (the platform needs at least ${n(limit)} matched users)`}.`;
  if (released !== undefined) {
    if (released.value === null) {
      const limit = released.threshold;
      return {
        headline: `Fewer than ${n(limit ?? 0)} of your ${n(ownSize)} customers are on the platform.`,
        range: 'The platform does not release figures this small, so there is no range.',
        usable: usableText(usableFlag ?? false, limit),
        usableForTargeting: usableFlag ?? false,
      };
    }
    const shown = Math.min(released.value, ownSize);
    const [low, high] = released.interval95 ?? [shown, shown];
    const lo = Math.max(0, Math.min(low, ownSize));
    const hi = Math.max(lo, Math.min(high, ownSize));
    const usable = usableFlag ?? true;
    return {
      headline: `About ${n(shown)} of your ${n(ownSize)} customers (${percent(shown)}%) are on the platform.`,
      range: `The true number is between ${n(lo)} and ${n(hi)}, with 95% certainty: the platform adds random noise so that no single customer can be detected.`,
      usable: usableText(usable, released.threshold),
      usableForTargeting: usable,
      figure: shown,
      low: lo,
      high: hi,
    };
  }
  if (size !== undefined) {
    const usable = usableFlag ?? size >= threshold;
    return {
      headline: `${n(size)} of your ${n(ownSize)} customers (${percent(size)}%) are on the platform.`,
      range: 'This is the exact count: this platform does not add noise.',
      usable: usableText(usable, threshold),
      usableForTargeting: usable,
      figure: size,
      low: size,
      high: size,
    };
  }
  return {
    headline: 'The platform does not tell you how many of your customers it has.',
    range: '',
    usable: '',
    usableForTargeting: usableFlag ?? false,
  };
}

/**
 * The sentences and figures of {@link resultWords}.
 *
 * @example
 * ```ts
 * const w: ResultWords = { headline: '...', range: '...', usable: '...', usableForTargeting: true, figure: 1800, low: 1700, high: 1900 };
 * ```
 */
export interface ResultWords {
  headline: string;
  range: string;
  usable: string;
  usableForTargeting: boolean;
  figure?: number;
  low?: number;
  high?: number;
}

/**
 * Assembles the downloadable report.
 *
 * @example
 * ```ts
 * const report = buildReport({ service, file, columns, read, terms, result, elapsedMs: 5120 });
 * ```
 */
export function buildReport(parts: {
  service: string;
  file: { name: string; size: number };
  columns: readonly KeyColumn[];
  read: ReadSummary;
  terms: PageTerms;
  result: MatchOverHttpResult & { audience?: unknown; budget?: unknown };
  elapsedMs: number;
}): PageReport {
  const { result } = parts;
  return {
    generatedAt: new Date().toISOString(),
    service: parts.service,
    file: { name: parts.file.name, bytes: parts.file.size },
    columns: parts.columns.map((c) => (c.names ?? [c.name!]).join('+')),
    read: parts.read,
    terms: parts.terms,
    session: { sessionId: result.sessionId, learn: result.learn, peerLearns: result.peerLearns },
    result: {
      ownSize: result.ownSize,
      ...(parts.terms.users === undefined ? {} : { platformUsers: parts.terms.users }),
      platformIdentifiers: result.peerSize,
      ...(result.size === undefined ? {} : { size: result.size }),
      ...(result.released === undefined ? {} : { released: result.released }),
      words: resultWords(result, parts.terms.policy?.threshold ?? 100),
    },
    ...(result.audience === undefined ? {} : { audience: result.audience }),
    ...(result.budget === undefined ? {} : { budget: result.budget }),
    sent: SENT,
    elapsedMs: Math.round(parts.elapsedMs),
  };
}

/**
 * The report as CSV for a spreadsheet: one `section,field,value` line per
 * figure, no identifier of the file.
 *
 * @example
 * ```ts
 * new Blob([reportCsv(report)], { type: 'text/csv' });
 * ```
 */
export function reportCsv(report: PageReport): string {
  const { read, result, session } = report;
  const lines: (readonly [string, string, string | number | null | undefined])[] = [
    ['report', 'generated at', report.generatedAt],
    ['report', 'service', report.service],
    ['report', 'session id', session.sessionId],
    ['file', 'name', report.file.name],
    ['file', 'rows read', read.rowsRead],
    ['file', 'customers sent', read.customers],
    ['file', 'repeated rows', read.duplicateRows],
    ['file', 'rows without a usable identifier', read.rejectedCount],
    ['file', 'rows with identifiers the platform does not use', read.unmatchedRows],
    ...read.columns.flatMap((c) => [
      ['column', `${c.label}: valid`, c.valid] as const,
      ['column', `${c.label}: refused`, c.refused] as const,
    ]),
    ['result', 'headline', result.words.headline],
    ['result', 'figure', result.words.figure],
    ['result', '95% range low', result.words.low],
    ['result', '95% range high', result.words.high],
    ['result', 'usable for targeting', String(result.words.usableForTargeting)],
    ['result', 'customers sent (as the platform counted)', result.ownSize],
    ['result', "platform's users", result.platformUsers],
    ['result', "platform's identifiers", result.platformIdentifiers],
    ['result', 'note', result.released?.note],
    ['result', 'epsilon', result.released?.epsilon],
  ];
  const cell = (v: string | number | null | undefined) => {
    const text = v === undefined || v === null ? '' : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `section,field,value\r\n${lines.map((l) => l.map(cell).join(',')).join('\r\n')}\r\n`;
}
