import type { PsiErrorCode } from '../errors.js';
import type { SessionSummary } from './result.js';

/**
 * What an observer may read of a running service at any time (for gauges).
 *
 * @example
 * ```ts
 * const view: ServiceView = { sessions: () => 3, storeEpoch: () => '20261201T233852Z', group: 'x25519' };
 * ```
 */
export interface ServiceView {
  /** Sessions in progress now. */
  sessions(): number;
  /** The epoch of the prepared store new sessions use now; absent without a store. */
  storeEpoch(): string | undefined;
  /** The group suite of every session. */
  readonly group: string;
}

/**
 * How a session that was accepted ended without completing: the client's
 * `DELETE`, its idle or age limit, or a refused frame (or result) mid-way.
 *
 * @example
 * ```ts
 * const outcome: SessionOutcome = 'expired';
 * ```
 */
export type SessionOutcome = 'aborted' | 'expired' | 'failed';

/**
 * Events of a session service, for metrics and audit (every method optional).
 * The service calls them synchronously and ignores what they return; an
 * observer must not throw. Events carry the session id, so that a log can
 * name the session; a metric must not turn it, or the summary's `tokenId`,
 * into a label.
 *
 * @example
 * ```ts
 * const observer: ServiceObserver = { sessionStarted: ({ elements }) => histogram.observe(elements) };
 * const service = new SessionService({ items, observer });
 * ```
 */
export interface ServiceObserver {
  /** Once, when the service is created: what it can be asked at any time. */
  serviceCreated?(view: ServiceView): void;
  /** A HELLO was accepted: the session is charged, keyed and answered. `elements` is what the client declared. */
  sessionStarted?(event: { sessionId: string; elements: number }): void;
  /** A session completed and its result was delivered. */
  sessionCompleted?(summary: SessionSummary): void;
  /** An accepted session ended without completing. */
  sessionEnded?(event: { sessionId: string; outcome: SessionOutcome }): void;
  /** A request was answered with an error; `opening` when it was a session's HELLO (`POST /v1/sessions`). */
  refused?(event: { code: PsiErrorCode; opening: boolean }): void;
}
