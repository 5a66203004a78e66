import type { AudienceView } from '../../wire/audience.js';
import { isUsable, knownSize, type Audience } from './model.js';

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
