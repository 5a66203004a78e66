import type { Released } from '../../wire/figure.js';
import { isUsable, knownSize, type Audience, type AudienceChangeKind } from './model.js';

/**
 * An audience as its advertiser sees it (`GET /v1/audiences`): never the exact
 * member count under a disclosure policy, and never a member.
 *
 * @example
 * ```ts
 * const view: AudienceView = { name: 'Spring buyers', createdAt, updatedAt, users: 1200, released, usable: true };
 * ```
 */
export interface AudienceView {
  name: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Under a policy: the last released figure less the rows sent in remove
   * sessions since (`null` when withheld); under exact disclosure the exact count.
   */
  users: number | null;
  /** The last size figure released to the advertiser, or `null`. */
  released: Released | null;
  /** Large enough to target: `users` is at least the service's minimum audience. */
  usable: boolean;
  /** With `GET /v1/audiences/{name}`: the changes, oldest first. */
  history?: AudienceHistoryView[];
}

/**
 * One change as the advertiser sees it: `users` (exact) only under exact disclosure.
 *
 * @example
 * ```ts
 * const change: AudienceHistoryView = { at, change: 'removed', sent: 25, released: null };
 * ```
 */
export interface AudienceHistoryView {
  at: string;
  change: AudienceChangeKind;
  users?: number;
  /** Rows the advertiser sent in the session. */
  sent?: number;
  released?: Released | null;
}

/**
 * The advertiser's view of an audience (see {@link AudienceView}); `policy`
 * says whether the service discloses under a policy.
 *
 * @example
 * ```ts
 * sendJson(res, 200, audienceView(audience, { policy: true, minAudience: 100, history: true }));
 * ```
 */
export function audienceView(audience: Audience, opts: { policy: boolean; minAudience: number; history?: boolean }): AudienceView {
  const view: AudienceView = {
    name: audience.name,
    createdAt: audience.createdAt,
    updatedAt: audience.updatedAt,
    users: knownSize(audience, opts.policy),
    released: audience.released,
    usable: isUsable(audience, opts.policy, opts.minAudience),
  };
  if (opts.history !== true) return view;
  view.history = audience.history.map((e) => ({
    at: e.at,
    change: e.change,
    ...(opts.policy ? {} : { users: e.users }),
    ...(e.sent === undefined ? {} : { sent: e.sent }),
    ...(e.released === undefined ? {} : { released: e.released }),
  }));
  return view;
}
