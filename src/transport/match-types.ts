import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import type { AdvertiserMeasure, Aggregates } from '../measurement/types.js';
import type { PartyResult } from '../protocol/types.js';
import type { BlindedCache } from '../protocol/blinded-cache.js';
import type { AudienceMode, AudienceView } from '../wire/audience.js';
import type { Reveal } from '../wire/reveal.js';
import type { TermsBudget } from '../wire/terms.js';
import type { MatchProgress } from './match-progress.js';
import type { RowKeyInput } from './own-set.js';

/**
 * What `matchWith` and `matchOverHttp` take and give back.
 * @module
 */

/**
 * Options of `matchWith` and `matchOverHttp`.
 *
 * @example
 * ```ts
 * const opts: MatchOverHttpOptions = { server: 'https://psi.platform.example', token, items: emails };
 * ```
 */
export interface MatchOverHttpOptions {
  /** Base URL of the service (any path prefix included), e.g. `https://psi.example.com`. */
  server: string;
  /** Bearer token issued by the platform. */
  token?: string | undefined;
  /** Own items (normalised identifiers); give this or `rows`. */
  items?: readonly (string | Uint8Array)[];
  /**
   * Own rows, each the keys of one record (e.g. its email and phone): a row
   * matches when any of its keys does, and figures count rows, not keys. Typed
   * keys (`{ type, item }`, as `rowKeys` gives them) of a type the service's
   * terms do not list are left out before anything is blinded: they could not
   * match, and every key costs both sides work.
   */
  rows?: readonly (readonly RowKeyInput[])[];
  /**
   * What this client learns; default `'auto'`: what the service's terms
   * (`GET /v1/terms`) offer, `'released'` under a disclosure policy. A mode the
   * service does not offer is refused with `MODE_MISMATCH`.
   */
  learn?: Reveal | 'auto';
  /** What the service learns; default `'auto'`, as its terms say. */
  peerLearns?: Reveal | 'auto';
  /** Refuse a service declaring more distinct items than this. */
  maxPeerItems?: number;
  chunkItems?: number;
  /** Group suite; default `'x25519'`. Must be the service's: it refuses another with `GROUP_MISMATCH`. */
  group?: GroupName;
  /** Arithmetic backend of the suite; default `'auto'`. */
  backend?: BackendChoice;
  workers?: number;
  /** Timeout of one HTTP request, in ms; default 300,000 (a request may wait for the service's blinding). */
  timeoutMs?: number;
  /** Retries of one request after a network error, a timeout or a 5xx; default 4. */
  retries?: number;
  /** First retry delay in ms, doubled each retry up to 10 s; default 250. */
  retryDelayMs?: number;
  /** Aborts the session: the call rejects with `ABORTED`. */
  signal?: AbortSignal;
  /**
   * Aggregates over the intersection (docs/measurement.md): the service's value
   * columns to release (`'all'`: every one its terms list) and own value columns,
   * summed under encryption. The result then has `aggregates`.
   */
  measure?: Omit<AdvertiserMeasure, 'platformColumns'> & { platformColumns?: readonly string[] | 'all' };
  /** Called before the first request and after each exchange with the service. */
  onProgress?: (progress: MatchProgress) => void;
  /**
   * A relationship with this service's store (opt-in both sides): the key is
   * derived from `keySeed` (kept by the client, e.g. `match --relationship`, never
   * sent) instead of drawn per session, so the service keeps its set re-blinded
   * under it and later sessions send only what changed. The service can then
   * link this client's sessions and lists (docs/service.md, "Relationship keys").
   * `blindedCache` keeps this client's blinded items from one session of the
   * relationship to the next, so a refresh blinds only its new items (the same
   * bytes go out; `match` keeps it in a file next to the key file).
   */
  relationship?: { id: string; keySeed: Uint8Array; blindedCache?: BlindedCache | undefined };
  /**
   * The advertiser's secret (32 random bytes, kept between sessions and never
   * sent: `match` keeps it in a key file, the page in IndexedDB). The session's
   * key, row dummies and sending order derive from it and the list, so a
   * repeated list is sent as the same bytes and a service releasing figures
   * answers it with the same figure; without the secret the service cannot
   * recompute the key to test guesses of the list's unmatched items. Without
   * it every session draws a fresh key (and meets fresh noise).
   */
  keySeed?: Uint8Array;
  /**
   * The named audience the service keeps from this session's matched users
   * (docs/audiences.md): `replace` (default) sets it, `add` adds to it, `remove`
   * takes them out. A remove session releases nothing and costs no budget: this
   * client learns `'none'`. The name (1-100 printable characters) is checked
   * before anything is blinded (`AUDIENCE_NAME_INVALID`).
   */
  audience?: { name: string; mode?: AudienceMode };
}

/**
 * What the client learnt, and the session it learnt it in.
 *
 * @example
 * ```ts
 * const { sessionId, peerSize, size } = await matchOverHttp(opts);
 * ```
 */
export interface MatchOverHttpResult extends PartyResult {
  /** Hex session id, as in the service's result file names. */
  sessionId: string;
  /** Identifier types of typed row keys left out because the service does not match on them. */
  leftOut?: string[];
  /** What this client learnt and what the service learnt, as agreed in the session. */
  learn: Reveal;
  peerLearns: Reveal;
  /** With `measure`: the count and every column's figure, each with its noise scale and 95% interval. */
  aggregates?: Aggregates;
  /** Under a disclosure policy: where this token's privacy budget stands after the session (read from `GET /v1/terms`). */
  budget?: TermsBudget;
  /** With `audience`: the audience after the session, as `GET /v1/audiences/{name}` shows it (without its history). */
  audience?: MatchAudience;
}

/**
 * The audience a session updated, as the service shows it afterwards; only
 * `name` and `mode` when it could not be read back.
 *
 * @example
 * ```ts
 * const { usable, users } = (await matchOverHttp({ ...opts, audience: { name: 'Spring buyers' } })).audience!;
 * ```
 */
export type MatchAudience = { name: string; mode: AudienceMode } & Partial<Omit<AudienceView, 'name' | 'history'>>;
