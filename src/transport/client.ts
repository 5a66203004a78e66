import { isPsiErrorCode, PsiError, type PsiErrorCode } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { AdvertiserParty } from '../measurement/advertiser-party.js';
import type { AdvertiserMeasure, Aggregates } from '../measurement/types.js';
import { withParsedReveal } from '../protocol/options.js';
import { PsiParty } from '../protocol/party.js';
import type { PartyOptions, PartyResult } from '../protocol/types.js';
import { decodeFrames } from '../wire/frame.js';
import { parseReveal, type Reveal } from '../wire/reveal.js';
import type { ServiceTerms } from '../wire/terms.js';
import { checkAudienceName, parseAudienceMode, type AudienceMode } from '../wire/audience.js';
import type { AudienceView } from '../wire/audience.js';
import type { TermsBudget } from '../wire/terms.js';
import type { HttpAnswer, HttpPort } from './http-port.js';
import {
  AUDIENCE_HEADER,
  AUDIENCE_MODE_HEADER,
  FRAMES_MEDIA_TYPE,
  PENDING_HEADER,
  RELATIONSHIP_HEADER,
  relationshipFingerprint,
} from './protocol-http.js';

/**
 * Options of {@link matchWith} and `matchOverHttp`.
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
   */
  relationship?: { id: string; keySeed: Uint8Array };
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
 * One key of a row given to {@link matchWith}: a PSI item, or one tagged with its
 * identifier type (`psiItem(type, value)` as `item`).
 *
 * @example
 * ```ts
 * const key: RowKeyInput = { type: 'phone', item: psiItem('phone', '+16505551234') };
 * ```
 */
export type RowKeyInput = string | Uint8Array | { readonly type: string; readonly item: Uint8Array };

/**
 * How far a session is: frames sent to the service, out of those known so far
 * (more become known as the service's frames arrive).
 *
 * @example
 * ```ts
 * onProgress: ({ framesSent, framesKnown }) => bar.update(framesSent, { total: framesKnown })
 * ```
 */
export interface MatchProgress {
  sessionId: string;
  framesSent: number;
  framesKnown: number;
  framesReceived: number;
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

/**
 * The service answered with a refusal or a failure: `status` is its HTTP status
 * and `code` its error code (`SERVICE_REFUSED` when it sent none blindjoin knows).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ServiceError && e.status === 429) waitUntilTomorrow(); }
 * ```
 */
export class ServiceError extends PsiError {
  constructor(
    code: PsiErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(code, message);
    this.name = 'ServiceError';
  }
}

/**
 * No complete answer came back (`SERVICE_UNREACHABLE` before the session
 * started, `SESSION_LOST` after), or the caller aborted (`ABORTED`).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ConnectionError) retryLater(); }
 * ```
 */
export class ConnectionError extends PsiError {
  constructor(code: PsiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ConnectionError';
  }
}

const MAX_RETRY_DELAY_MS = 10_000;

type OwnSet = { items: readonly (string | Uint8Array)[] } | { rows: (string | Uint8Array)[][] };

function checkOwnSet(opts: MatchOverHttpOptions): void {
  if ((opts.items === undefined) === (opts.rows === undefined)) throw new PsiError('OPTIONS_INVALID', 'give exactly one of items and rows');
  if (opts.rows !== undefined && !opts.rows.every((row) => Array.isArray(row))) {
    throw new PsiError('ITEMS_INVALID', 'rows must be an array of arrays of keys');
  }
}

function isTyped(key: RowKeyInput): key is Exclude<RowKeyInput, string | Uint8Array> {
  return typeof key === 'object' && key !== null && !(key instanceof Uint8Array);
}

/** The one own set the caller gave, its typed keys outside the service's `keyTypes` left out (and named). */
function ownSet(opts: MatchOverHttpOptions, keyTypes: readonly string[] | undefined): { set: OwnSet; leftOut: string[] } {
  if (opts.rows === undefined) return { set: { items: opts.items! }, leftOut: [] };
  const leftOut = new Set<string>();
  const rows = opts.rows.map((row) =>
    row.flatMap((key): (string | Uint8Array)[] => {
      if (!isTyped(key)) return [key];
      if (keyTypes === undefined || keyTypes.includes(key.type)) return [key.item];
      leftOut.add(key.type);
      return [];
    }),
  );
  return { set: { rows }, leftOut: [...leftOut] };
}

/** The service's refusal of one request; retried when `status` is 5xx. */
function refusal(answer: HttpAnswer): ServiceError {
  let code: PsiErrorCode = 'SERVICE_REFUSED';
  let message = `HTTP ${answer.status} ${answer.statusText}`.trim();
  try {
    const json = JSON.parse(new TextDecoder().decode(answer.body)) as { code?: unknown; message?: unknown };
    if (isPsiErrorCode(json.code)) {
      code = json.code;
      message = typeof json.message === 'string' ? json.message : json.code;
    }
  } catch {
    // not JSON: reported by status
  }
  return new ServiceError(code, message, answer.status);
}

function networkMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
}

/** Parses the service's published terms, refusing what this client cannot use. */
function parseTerms(body: Uint8Array): ServiceTerms {
  let json: Partial<ServiceTerms>;
  try {
    json = JSON.parse(new TextDecoder().decode(body)) as Partial<ServiceTerms>;
  } catch (e) {
    throw new PsiError('SERVICE_REFUSED', 'the service published terms that are not JSON', { cause: e });
  }
  if (typeof json !== 'object' || json === null) throw new PsiError('SERVICE_REFUSED', 'the service published no terms');
  const { keyTypes, ...rest } = json;
  return {
    ...rest,
    // Only a list of names narrows what is sent; anything else is ignored rather than trusted.
    ...(Array.isArray(keyTypes) && keyTypes.every((t) => typeof t === 'string') ? { keyTypes } : {}),
    learn: parseReveal(json.learn, 'the service terms (learn)'),
    peerLearns: parseReveal(json.peerLearns, 'the service terms (peerLearns)'),
  } as ServiceTerms;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * What a completed session reads back: the token's budget from the terms and,
 * with an audience, the audience. Best effort: the session's result stands
 * whether or not these answer.
 */
async function afterSession(
  request: (method: string, path: string) => Promise<{ body: Uint8Array }>,
  audience: { name: string; mode: AudienceMode } | undefined,
): Promise<Pick<MatchOverHttpResult, 'budget' | 'audience'>> {
  const json = async (path: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode((await request('GET', path)).body));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const budget = (await json('v1/terms'))?.budget as TermsBudget | undefined;
  let shown: MatchAudience | undefined;
  if (audience !== undefined) {
    const view = (await json(`v1/audiences/${encodeURIComponent(audience.name)}`)) ?? {};
    const { history: _history, name: _name, ...rest } = view;
    shown = { ...(rest as Partial<AudienceView>), name: audience.name, mode: audience.mode };
  }
  return { ...(budget === undefined ? {} : { budget }), ...(shown === undefined ? {} : { audience: shown }) };
}

/**
 * Runs the initiator side of a PSI session against a blindjoin service through
 * `port` (see `matchOverHttp` for Node, `fetchPort()` for browsers). Frames go
 * out in order; a frame whose answer is lost to a network error, a timeout or a
 * 5xx is sent again (the service answers a repeated frame from its cache). Fails
 * with a {@link ConnectionError} (`SERVICE_UNREACHABLE`, `SESSION_LOST`,
 * `ABORTED`), a {@link ServiceError} carrying the service's code (e.g.
 * `UNAUTHORIZED`, `MODE_MISMATCH`, `QUOTA_EXCEEDED`), or a `PsiError` of the
 * protocol, and reports nothing when the session cannot complete.
 *
 * @example
 * ```ts
 * const { size } = await matchWith(fetchPort(), { server: 'https://psi.platform.example', token, items });
 * ```
 */
export async function matchWith(port: HttpPort, opts: MatchOverHttpOptions): Promise<MatchOverHttpResult> {
  let base: URL;
  try {
    base = new URL(opts.server.endsWith('/') ? opts.server : `${opts.server}/`);
  } catch (e) {
    throw new PsiError('SERVER_URL_INVALID', `not a URL: ${JSON.stringify(opts.server)}`, { cause: e });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PsiError('SERVER_URL_INVALID', `the service URL must be http or https, got ${base.protocol}`);
  }
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const retries = opts.retries ?? 4;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const auth: Record<string, string> = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
  const audience =
    opts.audience === undefined
      ? undefined
      : { name: checkAudienceName(opts.audience.name), mode: parseAudienceMode(opts.audience.mode ?? 'replace') };
  const remove = audience?.mode === 'remove';
  if (remove && ((opts.learn ?? 'auto') !== 'auto' || (opts.peerLearns ?? 'auto') !== 'auto' || opts.measure !== undefined)) {
    throw new PsiError(
      'OPTIONS_INVALID',
      "a remove session learns 'none' and the service 'intersection': leave learn, peerLearns and measure out",
    );
  }
  // A remove session releases nothing to this client, whatever the service's terms grant others.
  const wanted = remove
    ? ({ learn: 'none', peerLearns: 'intersection' } as const)
    : ({
        learn: opts.learn === undefined || opts.learn === 'auto' ? 'auto' : parseReveal(opts.learn, 'learn'),
        peerLearns: opts.peerLearns === undefined || opts.peerLearns === 'auto' ? 'auto' : parseReveal(opts.peerLearns, 'peerLearns'),
      } as const);
  const audienceHeaders: Record<string, string> =
    audience === undefined ? {} : { [AUDIENCE_HEADER]: encodeURIComponent(audience.name), [AUDIENCE_MODE_HEADER]: audience.mode };
  const relationship =
    opts.relationship === undefined ? undefined : `${opts.relationship.id}:${relationshipFingerprint(opts.relationship.keySeed)}`;
  let party: PsiParty | AdvertiserParty | undefined;
  let sessionId = '';
  let established = false;

  /** One request with retries; every way it can fail becomes a PsiError subclass. */
  const request = async (method: string, path: string, body?: Uint8Array): Promise<{ body: Uint8Array; pending: number }> => {
    const url = new URL(path, base);
    const opening: Record<string, string> =
      path !== 'v1/sessions' ? {} : { ...audienceHeaders, ...(relationship === undefined ? {} : { [RELATIONSHIP_HEADER]: relationship }) };
    const headers = body === undefined ? auth : { ...auth, ...opening, 'content-type': FRAMES_MEDIA_TYPE };
    let last: ServiceError | undefined;
    let lastNetwork = 'no attempt made';
    for (let i = 0; i <= retries; i++) {
      if (i > 0) await sleep(Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** (i - 1)), opts.signal);
      let answer: HttpAnswer;
      try {
        answer = await port.request(method, url, {
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs,
          ...(opts.signal === undefined ? {} : { signal: opts.signal }),
        });
      } catch (e) {
        if (opts.signal?.aborted) throw new ConnectionError('ABORTED', 'the session was aborted', { cause: e });
        last = undefined;
        lastNetwork = networkMessage(e);
        continue;
      }
      if (answer.status >= 200 && answer.status <= 299) return { body: answer.body, pending: Number(answer.header(PENDING_HEADER)) || 0 };
      last = refusal(answer);
      // A token's or the service's sessions all busy: refused before anything was charged, so the same frame may come again.
      if (answer.status < 500 && !(answer.status === 429 && last.code === 'TOKEN_BUSY')) break;
    }
    // A replica that died took the session with it (SESSION_REPLICA_GONE): the caller starts a fresh one.
    if ((last?.status === 404 || last?.code === 'SESSION_REPLICA_GONE') && established) {
      throw new ConnectionError('SESSION_LOST', `the service no longer knows session ${sessionId}: ${last.message}`);
    }
    if (last !== undefined && last.status < 500) {
      throw new ServiceError(last.code, `the service refused (HTTP ${last.status}): ${last.message}`, last.status);
    }
    if (established)
      throw new ConnectionError('SESSION_LOST', `lost the service at ${url.origin} mid-session: ${last?.message ?? lastNetwork}`);
    if (last !== undefined)
      throw new ServiceError(last.code, `the service at ${url.origin} failed (HTTP ${last.status}): ${last.message}`, last.status);
    throw new ConnectionError('SERVICE_UNREACHABLE', `cannot reach the service at ${url.origin}: ${lastNetwork}`);
  };

  const queue: Uint8Array[] = [];
  let nextSeq = 0;
  let framesSent = 0;
  const progress = () => opts.onProgress?.({ sessionId, framesSent, framesKnown: framesSent + queue.length, framesReceived: nextSeq });

  /** Feeds the service's frames to the party in order, fetching any that did not fit the reply. */
  const absorb = async (reply: { body: Uint8Array; pending: number }) => {
    for (let pulled = false; ; pulled = true) {
      const before = nextSeq;
      for (const frame of decodeFrames(reply.body)) {
        if (frame.seq < nextSeq) continue;
        queue.push(...(await party!.stepFrame(frame)));
        nextSeq++;
      }
      progress();
      if (reply.pending <= 0) return;
      if (pulled && nextSeq === before) {
        throw new PsiError('SESSION_STALLED', `the service announces ${reply.pending} frames but sends none`);
      }
      reply = await request('GET', `v1/sessions/${sessionId}/frames?ack=${nextSeq}`);
    }
  };

  try {
    let terms: ServiceTerms | undefined;
    checkOwnSet(opts);
    const typed = opts.rows?.some((row) => row.some(isTyped)) ?? false;
    if (
      wanted.learn === 'auto' ||
      wanted.peerLearns === 'auto' ||
      opts.group === undefined ||
      typed ||
      opts.measure?.platformColumns === 'all'
    ) {
      terms = parseTerms((await request('GET', 'v1/terms')).body);
    }
    const learn = wanted.learn === 'auto' ? terms!.peerLearns : wanted.learn;
    const own = ownSet(opts, terms?.keyTypes);
    // Both modes were parsed once already: `wanted` from the options above, the rest from the terms (parseTerms).
    const partyOptions: PartyOptions = withParsedReveal({
      role: 'initiator',
      ...own.set,
      learn,
      peerLearns: wanted.peerLearns === 'auto' ? terms!.learn : wanted.peerLearns,
      maxPeerItems: opts.maxPeerItems,
      chunkItems: opts.chunkItems,
      backend: opts.backend,
      workers: opts.workers,
      // Without a group of its own the client speaks the service's.
      group: opts.group ?? terms?.group,
      // From the advertiser's secret and the list: a repeated list is sent as the same bytes and gets the same figure.
      ...(opts.relationship !== undefined
        ? { keySeed: opts.relationship.keySeed }
        : opts.keySeed === undefined
          ? {}
          : { keySeed: opts.keySeed, keyFromItems: true }),
    });
    const { measure } = opts;
    party =
      measure === undefined
        ? new PsiParty(partyOptions)
        : new AdvertiserParty(partyOptions, {
            ...measure,
            platformColumns: measure.platformColumns === 'all' ? Object.keys(terms!.values ?? {}) : measure.platformColumns,
          });
    // HELLO, and with `measure` the MEASURE request and ciphertexts that follow it.
    const first = await party.step();
    sessionId = Array.from(party.sessionId!, (b) => b.toString(16).padStart(2, '0')).join('');
    queue.push(...first);
    progress();
    for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) {
      const reply = await request('POST', established ? `v1/sessions/${sessionId}/frames?ack=${nextSeq}` : 'v1/sessions', frame);
      established = true;
      framesSent++;
      await absorb(reply);
    }
    if (!party.done) throw new PsiError('SESSION_INCOMPLETE', 'the service stopped answering before the session completed');
    const result = party.result();
    const after = await afterSession(request, audience);
    return {
      sessionId,
      learn,
      peerLearns: party.peerLearns,
      ...(own.leftOut.length === 0 ? {} : { leftOut: own.leftOut }),
      ...result,
      ...after,
    };
  } catch (e) {
    await party?.close();
    if (established) {
      await port.request('DELETE', new URL(`v1/sessions/${sessionId}`, base), { headers: auth, timeoutMs: 2_000 }).catch(() => undefined);
    }
    throw e;
  }
}
