import { PsiError } from '../errors.js';
import { AdvertiserParty } from '../measurement/advertiser-party.js';
import { withParsedReveal } from '../protocol/options.js';
import { PsiParty } from '../protocol/party.js';
import type { PartyOptions } from '../protocol/types.js';
import { checkAudienceName, parseAudienceMode, type AudienceMode } from '../wire/audience.js';
import { parseReveal, type Reveal } from '../wire/reveal.js';
import type { ServiceTerms } from '../wire/terms.js';
import { fetchTerms } from './fetch-terms.js';
import type { HttpPort } from './http-port.js';
import { FrameCounts } from './match-progress.js';
import type { MatchOverHttpOptions, MatchOverHttpResult } from './match-types.js';
import { checkGivenSet, hasTypedKeys, ownSet, type OwnSet } from './own-set.js';
import { AUDIENCE_HEADER, AUDIENCE_MODE_HEADER, RELATIONSHIP_HEADER, relationshipFingerprint } from './protocol-http.js';
import { retryingRequest, type SessionState } from './retrying-request.js';
import { runSession } from './session-loop.js';
import { readBack } from './session-readback.js';

export type { MatchProgress } from './match-progress.js';
export type { MatchAudience, MatchOverHttpOptions, MatchOverHttpResult } from './match-types.js';
export type { RowKeyInput } from './own-set.js';
export { ConnectionError, ServiceError } from './service-errors.js';

/** What each side is to learn: given, or `'auto'` for what the service's terms say. */
type Wanted = { learn: Reveal | 'auto'; peerLearns: Reveal | 'auto' };

/** The service's base URL, ending in `/` so that request paths keep any path prefix. */
function baseUrl(server: string): URL {
  let base: URL;
  try {
    base = new URL(server.endsWith('/') ? server : `${server}/`);
  } catch (e) {
    throw new PsiError('SERVER_URL_INVALID', `not a URL: ${JSON.stringify(server)}`, { cause: e });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PsiError('SERVER_URL_INVALID', `the service URL must be http or https, got ${base.protocol}`);
  }
  return base;
}

function checkedAudience(opts: MatchOverHttpOptions): { name: string; mode: AudienceMode } | undefined {
  return opts.audience === undefined
    ? undefined
    : { name: checkAudienceName(opts.audience.name), mode: parseAudienceMode(opts.audience.mode ?? 'replace') };
}

function wantedModes(opts: MatchOverHttpOptions, remove: boolean): Wanted {
  if (!remove) {
    return {
      learn: opts.learn === undefined || opts.learn === 'auto' ? 'auto' : parseReveal(opts.learn, 'learn'),
      peerLearns: opts.peerLearns === undefined || opts.peerLearns === 'auto' ? 'auto' : parseReveal(opts.peerLearns, 'peerLearns'),
    };
  }
  if ((opts.learn ?? 'auto') !== 'auto' || (opts.peerLearns ?? 'auto') !== 'auto' || opts.measure !== undefined) {
    throw new PsiError(
      'OPTIONS_INVALID',
      "a remove session learns 'none' and the service 'intersection': leave learn, peerLearns and measure out",
    );
  }
  // A remove session releases nothing to this client, whatever the service's terms grant others.
  return { learn: 'none', peerLearns: 'intersection' };
}

/** Headers of the session's first frame: the audience it updates and the relationship it belongs to. */
function openingHeaders(opts: MatchOverHttpOptions, audience: { name: string; mode: AudienceMode } | undefined): Record<string, string> {
  return {
    ...(audience === undefined ? {} : { [AUDIENCE_HEADER]: encodeURIComponent(audience.name), [AUDIENCE_MODE_HEADER]: audience.mode }),
    ...(opts.relationship === undefined
      ? {}
      : { [RELATIONSHIP_HEADER]: `${opts.relationship.id}:${relationshipFingerprint(opts.relationship.keySeed)}` }),
  };
}

/** Whether the options leave something to the service's terms. */
function needsTerms(opts: MatchOverHttpOptions, wanted: Wanted): boolean {
  return (
    wanted.learn === 'auto' ||
    wanted.peerLearns === 'auto' ||
    opts.group === undefined ||
    hasTypedKeys(opts) ||
    opts.measure?.platformColumns === 'all'
  );
}

/** The initiator party of the session: a `PsiParty`, or an `AdvertiserParty` with `measure`. */
function initiator(
  opts: MatchOverHttpOptions,
  set: OwnSet,
  learn: Reveal,
  peerLearns: Reveal,
  terms: ServiceTerms | undefined,
): PsiParty | AdvertiserParty {
  // Both modes were parsed once already: from the options (wantedModes) or from the terms (parseTerms).
  const partyOptions: PartyOptions = withParsedReveal({
    role: 'initiator',
    ...set,
    learn,
    peerLearns,
    maxPeerItems: opts.maxPeerItems,
    chunkItems: opts.chunkItems,
    backend: opts.backend,
    workers: opts.workers,
    // Without a group of its own the client speaks the service's.
    group: opts.group ?? terms?.group,
    // From the advertiser's secret and the list: a repeated list is sent as the same bytes and gets the same figure.
    ...(opts.relationship !== undefined
      ? { keySeed: opts.relationship.keySeed, blindedCache: opts.relationship.blindedCache }
      : opts.keySeed === undefined
        ? {}
        : { keySeed: opts.keySeed, keyFromItems: true }),
  });
  const { measure } = opts;
  return measure === undefined
    ? new PsiParty(partyOptions)
    : new AdvertiserParty(partyOptions, {
        ...measure,
        platformColumns: measure.platformColumns === 'all' ? Object.keys(terms!.values ?? {}) : measure.platformColumns,
      });
}

/**
 * Runs the initiator side of a PSI session against a blindjoin service through
 * `port` (see `matchOverHttp` for Node, `fetchPort()` for browsers). Frames go
 * out in order; a frame whose answer is lost to a network error, a timeout or a
 * 5xx is sent again (the service answers a repeated frame from its cache). Fails
 * with a `ConnectionError` (`SERVICE_UNREACHABLE`, `SESSION_LOST`,
 * `ABORTED`), a `ServiceError` carrying the service's code (e.g.
 * `UNAUTHORIZED`, `MODE_MISMATCH`, `QUOTA_EXCEEDED`), or a `PsiError` of the
 * protocol, and reports nothing when the session cannot complete.
 *
 * @example
 * ```ts
 * const { size } = await matchWith(fetchPort(), { server: 'https://psi.platform.example', token, items });
 * ```
 */
export async function matchWith(port: HttpPort, opts: MatchOverHttpOptions): Promise<MatchOverHttpResult> {
  const base = baseUrl(opts.server);
  const auth: Record<string, string> = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
  const audience = checkedAudience(opts);
  const wanted = wantedModes(opts, audience?.mode === 'remove');
  const session: SessionState = { id: '', established: false };
  const request = retryingRequest(
    {
      port,
      base,
      headers: auth,
      timeoutMs: opts.timeoutMs ?? 300_000,
      retries: opts.retries ?? 4,
      retryDelayMs: opts.retryDelayMs ?? 250,
      signal: opts.signal,
    },
    session,
  );
  let party: PsiParty | AdvertiserParty | undefined;
  try {
    checkGivenSet(opts);
    const terms = needsTerms(opts, wanted) ? await fetchTerms(request) : undefined;
    const learn = wanted.learn === 'auto' ? terms!.peerLearns : wanted.learn;
    const own = ownSet(opts, terms?.keyTypes);
    party = initiator(opts, own.set, learn, wanted.peerLearns === 'auto' ? terms!.learn : wanted.peerLearns, terms);
    await runSession(party, request, session, openingHeaders(opts, audience), new FrameCounts(opts.onProgress));
    const result = party.result();
    const after = await readBack(request, session.id, audience);
    return {
      sessionId: session.id,
      learn,
      peerLearns: party.peerLearns,
      ...(own.leftOut.length === 0 ? {} : { leftOut: own.leftOut }),
      ...result,
      ...after,
    };
  } catch (e) {
    await party?.close();
    if (session.established) {
      await port.request('DELETE', new URL(`v1/sessions/${session.id}`, base), { headers: auth, timeoutMs: 2_000 }).catch(() => undefined);
    }
    throw e;
  }
}
