import { describeReleased } from '../disclosure/release.js';
import type { KeyColumn } from '../identifiers/row-keys.js';
import type { ServiceTerms } from '../wire/terms.js';
import type { MatchOverHttpResult } from '../transport/client.js';
import type { Reveal } from '../wire/reveal.js';
import type { ReadSummary } from './messages.js';

/**
 * The JSON report the page offers for download: the file (name and counts,
 * never its contents), the service and its terms, and what this side learnt.
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
  terms: ServiceTerms;
  session: { sessionId: string; learn: Reveal; peerLearns: Reveal };
  result: {
    /** Distinct customers (rows with an identifier) this side sent, blinded. */
    ownSize: number;
    /** The platform's distinct identifiers. */
    peerSize: number;
    /** Customers found by any of their identifiers: only from a service with exact disclosure. */
    size?: number;
    /** Under a disclosure policy: the noised figure released, with its note. */
    released?: MatchOverHttpResult['released'];
  };
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
 * youLearn({ peerLearns: 'released', policy: { epsilon: 0.25, threshold: 100, significantDigits: 2 } } as ServiceTerms);
 * ```
 */
export function youLearn(terms: Pick<ServiceTerms, 'peerLearns' | 'policy'>): string {
  if (terms.peerLearns === 'released' && terms.policy !== undefined) {
    const { epsilon, threshold, significantDigits } = terms.policy;
    const parts = [`noised (epsilon ${epsilon})`];
    if (threshold !== null) parts.push(`withheld below ${n(threshold)}`);
    if (significantDigits !== null) parts.push(`rounded to ${significantDigits} significant digits`);
    return `about how many of your customers the platform knows: a figure ${parts.join(', ')}; never who`;
  }
  if (terms.peerLearns === 'intersection') return 'which of your customers the platform knows';
  if (terms.peerLearns === 'size') return 'exactly how many of your customers the platform knows, never who';
  return 'nothing about the overlap';
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
  terms: ServiceTerms;
  result: MatchOverHttpResult;
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
      peerSize: result.peerSize,
      ...(result.size === undefined ? {} : { size: result.size }),
      ...(result.released === undefined ? {} : { released: result.released }),
    },
    sent: SENT,
    elapsedMs: Math.round(parts.elapsedMs),
  };
}
