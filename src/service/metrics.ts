import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_CODES, type PsiErrorCode } from '../errors.js';
import type { ServiceObserver, ServiceView } from './observer.js';

/**
 * What `blindjoin_sessions_total` counts, its `event` label: HELLOs accepted
 * (`started`) and refused (`refused`), and how accepted sessions ended.
 *
 * @example
 * ```ts
 * SESSION_EVENTS.includes('expired'); // true
 * ```
 */
export const SESSION_EVENTS = ['started', 'refused', 'completed', 'aborted', 'expired', 'failed'] as const;

/**
 * A service's Prometheus metrics (prom-client), fed by the service's events
 * as its {@link ServiceObserver}. Labels are bounded and name nothing of a
 * client: no session id, token, token id (an advertiser's name), identifier
 * or user; `code` takes only the values of the error registry.
 *
 * | series | type | labels |
 * | --- | --- | --- |
 * | `blindjoin_sessions_open` | gauge | |
 * | `blindjoin_sessions_total` | counter | `event`: started, refused, completed, aborted, expired, failed |
 * | `blindjoin_session_duration_seconds` | histogram (completed sessions) | |
 * | `blindjoin_session_items` | histogram (elements a client declared) | |
 * | `blindjoin_releases_total` | counter (figures released under the policy) | |
 * | `blindjoin_budget_refusals_total` | counter | |
 * | `blindjoin_errors_total` | counter | `code` |
 * | `blindjoin_store_epoch_info` | gauge, 1 (with a store) | `epoch`, `group` |
 *
 * plus prom-client's default process and Node.js metrics.
 *
 * @example
 * ```ts
 * const metrics = createServiceMetrics();
 * const service = new SessionService({ items, observer: metrics.observer });
 * const text = await metrics.registry.metrics();
 * ```
 */
export interface ServiceMetrics {
  /** The registry to scrape (`registry.metrics()`, content type `registry.contentType`). */
  readonly registry: Registry;
  /** Give this to the service (`observer` of its options). */
  readonly observer: ServiceObserver;
}

/**
 * Creates the metrics of one service, on a registry of its own.
 *
 * @example
 * ```ts
 * const { registry, observer } = createServiceMetrics();
 * ```
 */
export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let view: ServiceView | undefined;
  new Gauge({
    name: 'blindjoin_sessions_open',
    help: 'Sessions in progress',
    registers: [registry],
    collect() {
      this.set(view?.sessions() ?? 0);
    },
  });
  const sessions = new Counter({
    name: 'blindjoin_sessions_total',
    help: 'Sessions by event: HELLOs accepted (started) and refused, and how accepted sessions ended',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  for (const event of SESSION_EVENTS) sessions.inc({ event }, 0);
  const duration = new Histogram({
    name: 'blindjoin_session_duration_seconds',
    help: 'Time from HELLO to result of completed sessions',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const items = new Histogram({
    name: 'blindjoin_session_items',
    help: 'Elements a client declared in its HELLO (distinct items times identifier slots)',
    buckets: [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000],
    registers: [registry],
  });
  const releases = new Counter({
    name: 'blindjoin_releases_total',
    help: 'Figures released under the disclosure policy (counts and value-column sums)',
    registers: [registry],
  });
  const budgetRefusals = new Counter({
    name: 'blindjoin_budget_refusals_total',
    help: 'Requests refused because the token privacy budget could not pay (BUDGET_EXCEEDED)',
    registers: [registry],
  });
  const errors = new Counter({
    name: 'blindjoin_errors_total',
    help: 'Requests answered with an error, by code (docs/errors.md)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'blindjoin_store_epoch_info',
    help: 'The epoch of the prepared store new sessions use (1); absent without a store',
    labelNames: ['epoch', 'group'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const epoch = view?.storeEpoch();
      if (epoch !== undefined) this.set({ epoch, group: view!.group }, 1);
    },
  });
  const observer: ServiceObserver = {
    serviceCreated: (v) => void (view = v),
    sessionStarted: ({ elements }) => {
      sessions.inc({ event: 'started' });
      items.observe(elements);
    },
    sessionCompleted: (summary) => {
      sessions.inc({ event: 'completed' });
      duration.observe(summary.durationMs / 1000);
      // The count and each value column are one figure each, all charged to the budget.
      if (summary.released !== undefined) releases.inc(1 + Object.keys(summary.aggregates ?? {}).length);
    },
    sessionEnded: ({ outcome }) => sessions.inc({ event: outcome }),
    refused: ({ code, opening }) => {
      // Only registry codes become label values: the label set stays bounded whatever reaches here.
      const label: PsiErrorCode = Object.hasOwn(ERROR_CODES, code) ? code : 'INTERNAL';
      errors.inc({ code: label });
      if (label === 'BUDGET_EXCEEDED') budgetRefusals.inc();
      if (opening) sessions.inc({ event: 'refused' });
    },
  };
  return { registry, observer };
}
