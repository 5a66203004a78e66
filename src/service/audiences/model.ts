import type { Released } from '../../wire/figure.js';
import type { AudienceChangeKind } from '../../wire/audience.js';
import type { AudienceMode } from '../../wire/audience.js';

/**
 * One entry of an audience's history, platform side: counts only, never a user id.
 *
 * @example
 * ```ts
 * const event: AudienceEvent = { at: '2026-01-01T00:00:00.000Z', change: 'added', users: 1200, count: 40, sent: 500 };
 * ```
 */
export interface AudienceEvent {
  at: string;
  change: AudienceChangeKind;
  /** Members after the change (exact: the platform's own knowledge). */
  users: number;
  /** Users the change put in or took out (exact). */
  count?: number;
  /** Rows the advertiser sent in the session (known to the advertiser). */
  sent?: number;
  /** The figure the session released to the advertiser, `null` when it released none. */
  released?: Released | null;
}

/**
 * A named audience of one token: who is in it (each member the `--emit` cells
 * of one user), and what the advertiser was told about its size.
 *
 * @example
 * ```ts
 * const a: Audience = { name: 'Spring buyers', tokenId: 'acme', createdAt, updatedAt, columns: ['user_id'],
 *   members: [['u1'], ['u7']], released: null, removedSince: 0, history: [] };
 * ```
 */
export interface Audience {
  name: string;
  tokenId: string;
  createdAt: string;
  /** The last session that created, replaced, added to or removed from it (the retention clock). */
  updatedAt: string;
  /** Header of the members: the columns written for each user. */
  columns: string[];
  /** The user ids, one array of cells per user, distinct. */
  members: string[][];
  /** The last figure released to the advertiser by a session on this audience, or `null`. */
  released: Released | null;
  /** Rows the advertiser sent in remove sessions since `released` (what it sent, not what matched). */
  removedSince: number;
  history: AudienceEvent[];
}

/**
 * What one finished session brings to its audience.
 *
 * @example
 * ```ts
 * const update: AudienceUpdate = { mode: 'add', columns: ['user_id'], users: [['u9']], released, sent: 500, at: Date.now() };
 * ```
 */
export interface AudienceUpdate {
  mode: AudienceMode;
  columns: string[];
  /** The matched users (the session's matched rows' cells). */
  users: readonly (readonly string[])[];
  /** The figure released to the advertiser; `null` for none (a remove session, exact disclosure). */
  released: Released | null;
  /** Distinct rows the advertiser sent. */
  sent: number;
  at: number;
}

/**
 * History entries kept per audience (the change log keeps all).
 *
 * @example
 * ```ts
 * audience.history.length <= MAX_HISTORY; // true
 * ```
 */
export const MAX_HISTORY = 100;

const keyOf = (cells: readonly string[]) => JSON.stringify(cells);

/**
 * The audience after a session: `replace` (or create) sets its members to the
 * matched users, `add` unites them, `remove` takes them out (a remove session
 * releases nothing: `released` stays and the rows sent are added to
 * `removedSince`). Pure: returns a new audience and the event to log.
 *
 * @example
 * ```ts
 * const { audience, event } = applyAudienceUpdate(undefined, 'acme', 'Spring buyers', update);
 * event.change; // 'created'
 * ```
 */
export function applyAudienceUpdate(
  old: Audience | undefined,
  tokenId: string,
  name: string,
  update: AudienceUpdate,
): { audience: Audience; event: AudienceEvent } {
  const at = new Date(update.at).toISOString();
  const incoming = new Map(update.users.map((cells) => [keyOf(cells), [...cells]]));
  let members: string[][];
  let change: AudienceChangeKind;
  let count: number;
  if (update.mode === 'remove') {
    const before = old?.members ?? [];
    members = before.filter((cells) => !incoming.has(keyOf(cells)));
    count = before.length - members.length;
    change = 'removed';
  } else if (update.mode === 'add' && old !== undefined) {
    const present = new Set(old.members.map(keyOf));
    const fresh = [...incoming].filter(([key]) => !present.has(key)).map(([, cells]) => cells);
    members = [...old.members, ...fresh];
    count = fresh.length;
    change = 'added';
  } else {
    members = [...incoming.values()];
    count = members.length;
    change = old === undefined ? 'created' : 'replaced';
  }
  const releases = update.mode !== 'remove';
  const event: AudienceEvent = {
    at,
    change,
    users: members.length,
    count,
    sent: update.sent,
    released: releases ? update.released : null,
  };
  const audience: Audience = {
    name,
    tokenId,
    createdAt: old?.createdAt ?? at,
    updatedAt: at,
    columns: [...update.columns],
    members,
    released: releases ? update.released : (old?.released ?? null),
    removedSince: releases ? 0 : (old?.removedSince ?? 0) + update.sent,
    history: [...(old?.history ?? []), event].slice(-MAX_HISTORY),
  };
  return { audience, event };
}

/**
 * What the advertiser may be told of an audience's size. Under a disclosure
 * policy: the last released figure less every row sent in remove sessions
 * since (a lower bound built only from what the advertiser already knows, so
 * it cannot tell which of its rows matched), `null` when that figure was
 * withheld. Under exact disclosure (a membership oracle anyway): the exact count.
 *
 * @example
 * ```ts
 * knownSize(audience, true); // 1200
 * ```
 */
export function knownSize(audience: Pick<Audience, 'released' | 'removedSince' | 'members'>, policy: boolean): number | null {
  if (!policy) return audience.members.length;
  const value = audience.released?.value ?? null;
  return value === null ? null : Math.max(0, value - audience.removedSince);
}

/**
 * Whether an audience is large enough to target: its {@link knownSize} is at
 * least `minAudience`. Under a policy this is decided on the released (noised)
 * figure, never on the exact count: an exact rule would be a membership oracle
 * (99 known users plus one target is usable exactly when the target is a user).
 *
 * @example
 * ```ts
 * isUsable(audience, true, 100); // false below 100 released
 * ```
 */
export function isUsable(audience: Pick<Audience, 'released' | 'removedSince' | 'members'>, policy: boolean, minAudience: number): boolean {
  const size = knownSize(audience, policy);
  return size !== null && size >= minAudience;
}
