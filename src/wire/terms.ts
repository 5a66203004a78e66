import type { GroupName } from '../group/suite.js';
import type { Reveal } from './reveal.js';

/**
 * The contract a service publishes at `GET /v1/terms` and its clients read:
 * what each side learns, the bounds, the disclosure policy, and for a token its
 * budget. Both ends (the service, `matchWith`, the page) take it from here.
 * @module
 */

/**
 * What a service offers, published at `GET /v1/terms` so that a client can
 * agree to it before it sends anything.
 *
 * @example
 * ```ts
 * const { peerLearns, minItems } = await (await fetch(`${url}/v1/terms`)).json() as ServiceTerms;
 * ```
 */
export interface ServiceTerms {
  /** The group suite of the service's elements. */
  group: GroupName;
  /** What the service learns. */
  learn: Reveal;
  /** What a client learns. */
  peerLearns: Reveal;
  disclosure: 'policy' | 'exact';
  minItems: number;
  maxItems: number;
  /** Under a policy: epsilon per release, threshold and rounding of released figures. */
  policy?: { epsilon: number; threshold: number | null; significantDigits: number | null };
  /** The identifier types the service matches on, when it publishes them; keys of other types cannot match. */
  keyTypes?: string[];
  /** Value columns a client may ask for (a MEASURE frame), each with its clamp bound per user. */
  values?: Record<string, number>;
  /** Whether the service sums a client's encrypted value columns. */
  advertiserValues: boolean;
  /** The platform's number of users: rows (users) of its input, or a store's stored identifiers; never identifiers of several columns. */
  users: number;
  /** Smallest audience that is usable for targeting (decided on the released figure). */
  minAudience: number;
  /** Whether calls need a bearer token (the service has a tokens file); set by the HTTP handler. */
  tokenRequired?: boolean;
  /** With a token under a policy: where its privacy budget stands. */
  budget?: TermsBudget;
}

/**
 * A token's privacy budget as `GET /v1/terms` shows it to its holder, so that
 * an advertiser knows before matching how many releases it has left.
 *
 * @example
 * ```ts
 * const b: TermsBudget = { spent: 0.25, remaining: 0.75, budget: 1, window: '30d', windowMs: 2_592_000_000,
 *   nextCreditAt: '2026-01-31T10:00:00.000Z', epsilonPerRelease: 0.25, releasesLeft: 3 };
 * ```
 */
export interface TermsBudget {
  /** Epsilon spent within the window. */
  spent: number;
  remaining: number;
  /** Epsilon the token may spend per window. */
  budget: number;
  /** The window, e.g. `'30d'`. */
  window: string;
  windowMs: number;
  /** When the oldest charge in the window stops counting (ISO), or `null` with none. */
  nextCreditAt: string | null;
  epsilonPerRelease: number;
  /** Releases the remaining epsilon pays for: floor(remaining / epsilonPerRelease). */
  releasesLeft: number;
}
