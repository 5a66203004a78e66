// Sessions blind on Node's worker threads: the service installs them for every blinder of the process.
import '../pool/install.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { rationalToNumber, toRational } from '../disclosure/epsilon.js';
import { MemoryBudget, type PrivacyBudget } from '../disclosure/memory-budget.js';
import { resolvePolicy, type DisclosurePolicy } from '../disclosure/policy.js';
import { PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import { checkBackendChoice, type GroupName } from '../group/suite.js';
import { PlatformParty } from '../measurement/platform-party.js';
import type { PlatformColumns } from '../measurement/platform-columns.js';
import { learnsCount } from '../protocol/options.js';
import { protocolSuite } from '../protocol/suite.js';
import { optionalIntegerIn } from '../validate.js';
import type { Frame } from '../wire/frame.js';
import { decodeHandshake, handshakeElements, type Handshake } from '../wire/messages.js';
import { parseReveal, type Reveal } from '../wire/reveal.js';
import { MAX_VALUE_COLUMNS } from '../wire/measure.js';
import { checkValueColumn } from '../measurement/values.js';
import { DailyCounter } from './daily-counter.js';
import { openRelationship, type RelationshipRef, type RelationshipStates } from '../store/relationship.js';
import { createResponderSets, type KeyRotation, type ResponderSets } from './key-rotation.js';
import type { ServiceObserver, SessionOutcome } from './observer.js';
import type { MatchedRow, SessionResult } from './result.js';
import { SessionStore, type Batch, type Session } from './session-store.js';
import type { StoreSets } from './store-sets.js';
import { Audiences } from './audiences/audiences.js';
import type { AudienceTarget } from '../wire/audience.js';
import { memoryAudienceRecords, RetainedAudiences, type AudienceStore } from './audiences/store.js';
import { budgetView } from './budget-view.js';
import type { ServiceTerms, TermsBudget } from '../wire/terms.js';
import type { TokenEntry } from './tokens.js';

/**
 * Options of {@link SessionService}. Only `items` (or a `store`) is required; every
 * bound has a default suited to one platform box.
 *
 * @example
 * ```ts
 * const opts: SessionServiceOptions = { items: emails, itemsPerDay: 5_000_000, maxSessionsPerToken: 4 };
 * ```
 */
export interface SessionServiceOptions {
  /** The platform's own items (normalised identifiers); give these or `store`. */
  items?: readonly (string | Uint8Array)[];
  /**
   * The platform's users blinded once per key epoch (`blindjoin prepare`, opened
   * with `openStoreSets`): sessions read them from disk instead of blinding
   * `items`, and the row map names matched rows (`rows` does not apply).
   */
  store?: StoreSets;
  /** Row of each item in the platform's input, for results; default line `i + 1` and the item itself. */
  rows?: readonly MatchedRow[];
  /**
   * Set when `rows` are users with several identifiers (items of one user share
   * its row, `line`): the names of the row `cells` written for each matched user.
   * Results and released figures then count users, not identifiers.
   */
  rowColumns?: readonly string[];
  /**
   * The identifier types of `items` (e.g. `['email', 'phone']`), published in the
   * terms so that a client leaves out keys of other types, which could not match
   * and would cost it and the service work. Default: not published.
   */
  keyTypes?: readonly string[];
  /**
   * Value columns clients may ask to have summed over the matched users and
   * released (`serve --values`): per item values (aligned with `items`) and the
   * clamp bound of each column, the most one user adds to its sum. Each figure
   * released costs one epsilon of the client's budget. docs/measurement.md.
   */
  values?: PlatformColumns;
  /**
   * Sum clients' encrypted value columns (default: only under exact disclosure,
   * which is a membership oracle already). Their guarantee holds
   * only against a semi-honest client, one that encrypts values within the bound
   * it declares: a malicious one can learn which of a few dozen chosen rows
   * matched (docs/measurement.md, threat model).
   */
  advertiserValues?: boolean;
  /** What the service learns; default `'intersection'`. */
  learn?: Reveal;
  /**
   * What clients learn: `'released'` under a policy (the default), else `'size'`
   * (or as given). See {@link SessionServiceOptions.disclosure}.
   */
  peerLearns?: Reveal;
  /**
   * `'policy'` (default): clients learn no match cryptographically, only a figure
   * released under `policy` (noised, thresholded, rounded, charged to a privacy
   * budget; docs/privacy.md). `'exact'`: clients learn `peerLearns` exactly,
   * which makes the service a membership oracle, secure only against
   * honest-but-curious clients.
   */
  disclosure?: 'policy' | 'exact';
  /** The disclosure policy of released figures; defaults in docs/privacy.md. */
  policy?: DisclosurePolicy;
  /** Fewest distinct items a client must bring; default 100 under a policy, 1 otherwise. */
  minItems?: number;
  /** Where named audiences are kept (docs/audiences.md); default in memory, forgotten on restart. */
  audiences?: AudienceStore;
  /** Audiences not refreshed within this many ms are deleted (default audience store only); default never. */
  audienceRetentionMs?: number;
  /** Smallest audience that is usable for targeting, decided on the released figure; default 100. */
  minAudience?: number;
  /** Where each release is charged; default a {@link MemoryBudget} of epsilon 1 per 30 days (forgotten on restart). */
  budget?: PrivacyBudget;
  /** PRF key of consistent noise (32 bytes); default drawn at start, so answers stay consistent until a restart. */
  noiseKey?: Uint8Array;
  /** Per-token daily item counts; default in memory. */
  itemCounter?: ItemCounter;
  /** Items per token per UTC day when its entry sets none; default unlimited. */
  itemsPerDay?: number;
  /** Sessions a token may start per UTC day; default 1,000. */
  sessionsPerDay?: number;
  /** Most distinct items a client may bring to one session; default 10,000,000. */
  maxItems?: number;
  /** Sessions in progress at once; default 16. */
  maxSessions?: number;
  /** Sessions in progress at once under one token; default an eighth of `maxSessions`, rounded down, at least 1 (2 of 16). */
  maxSessionsPerToken?: number;
  /** Drop a session idle this long; default 120 s. */
  idleTimeoutMs?: number;
  /** Drop a session this old; default 1 h. */
  sessionTtlMs?: number;
  /** Key lifetime; default one day under a policy (consistent figures), `'session'` (a fresh key per session) under exact disclosure. */
  keyRotation?: KeyRotation;
  /** Target size of the frames in one reply; default 8 MiB (always at least one frame). */
  responseBytes?: number;
  /**
   * Group suite of every session; default `'x25519'`. A client on another suite is
   * refused at its HELLO with `GROUP_MISMATCH` (409) before any blinding.
   */
  group?: GroupName;
  /** Arithmetic backend of the suite; default `'auto'`. */
  backend?: BackendChoice;
  workers?: number;
  chunkItems?: number;
  /** Receives the service's events (sessions started, ended, refused), e.g. its metrics; default none. */
  observer?: ServiceObserver;
  /** Receives each finished session's result; if it fails, so does the session. */
  onResult?: (result: SessionResult) => void | Promise<void>;
  /** Receives one line per session event; default silent. Never sees a key or a token. */
  log?: (line: string) => void;
  /** Where relationships keep their state; default `state.json` beside their kept files in the store. */
  relationshipStates?: RelationshipStates;
  /** Hears the id of every session dropped (done and collected, refused, aborted, expired), e.g. to unregister it. */
  onSessionRemoved?: (sessionId: string) => void;
}

/**
 * One answer of the service: frames for the client, and how many more wait to be pulled.
 *
 * @example
 * ```ts
 * const { frames, pending } = await service.deliver(token, id, frame, body);
 * ```
 */
export interface Exchange {
  sessionId: string;
  frames: Uint8Array[];
  pending: number;
}

/**
 * What the service tells a client about one of its sessions.
 *
 * @example
 * ```ts
 * service.status(token, id).state; // 'open'
 * ```
 */
export interface SessionStatus {
  sessionId: string;
  state: 'open' | 'done';
  startedAt: string;
  lastSeen: string;
  framesReceived: number;
  framesPending: number;
}

/**
 * Per-token daily item counts, in memory (`DailyCounter`) or persisted (the budget ledger).
 *
 * @example
 * ```ts
 * const counter: ItemCounter = new DailyCounter();
 * ```
 */
export interface ItemCounter {
  charge(id: string, amount: number, limit: number): boolean | Promise<boolean>;
  refund(id: string, amount: number): void | Promise<void>;
}

const DEFAULTS = {
  maxItems: 10_000_000,
  maxSessions: 16,
  sessionsPerDay: 1_000,
  minItems: 100,
  minAudience: 100,
  idleTimeoutMs: 120_000,
  sessionTtlMs: 3_600_000,
  responseBytes: 8 << 20,
};
const DAY_MS = 86_400_000;

function checkKeyTypes(types: unknown): string[] {
  if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string' && t.length > 0)) {
    throw new PsiError('OPTIONS_INVALID', 'keyTypes must be an array of identifier type names');
  }
  return [...new Set(types)];
}

function digestOf(body: Uint8Array): string {
  return bytesToHex(sha256(body));
}

/**
 * The responder side of many PSI sessions for many clients, knowing nothing of
 * the transport that carries their frames: it creates sessions, feeds them
 * frames, answers a retried frame from its cache, keeps produced frames until
 * the client acknowledges them, enforces quotas, per-token limits and expiry,
 * and hands each finished session's result to `onResult`. Every method either
 * answers or throws a `PsiError` whose code carries its HTTP status (see
 * `statusOf`); a refusal ends at most the session it names.
 *
 * @example
 * ```ts
 * const service = new SessionService({ items: users });
 * const first = await service.open(token, decodeFrame(hello), hello);
 * const next = await service.deliver(token, first.sessionId, decodeFrame(chunk), chunk, 1);
 * await service.close();
 * ```
 */
export class SessionService {
  readonly learn: Reveal;
  readonly peerLearns: Reveal;
  readonly terms: ServiceTerms;
  /** The named audiences of every token (docs/audiences.md). */
  readonly audiences: Audiences;
  readonly #opts: SessionServiceOptions;
  readonly #policy: DisclosurePolicy | undefined;
  readonly #budget: PrivacyBudget;
  readonly #noiseKey: Uint8Array;
  readonly #minItems: number;
  readonly #store: SessionStore;
  readonly #sets: ResponderSets;
  readonly #items: ItemCounter;
  readonly #sessionsToday = new DailyCounter();
  readonly #maxItems: number;
  readonly #itemsPerDay: number;
  readonly #sessionsPerDay: number;
  readonly #responseBytes: number;
  readonly #log: (line: string) => void;
  #closing = false;
  /** Rows a released figure counted, by session, for its result. */
  readonly #countedRows = new WeakMap<Session, { user: string; row: MatchedRow }[]>();
  /** The audience each session updates, when its HELLO named one. */
  readonly #audienceOf = new WeakMap<Session, AudienceTarget>();

  constructor(opts: SessionServiceOptions) {
    if (typeof opts !== 'object' || opts === null) throw new PsiError('OPTIONS_INVALID', 'options must be an object');
    if ((opts.items === undefined) === (opts.store === undefined))
      throw new PsiError('OPTIONS_INVALID', 'give exactly one of items and store');
    if (opts.store !== undefined && (opts.rows !== undefined || opts.keyRotation !== undefined)) {
      throw new PsiError('OPTIONS_INVALID', "a store names its rows and keeps its epoch's key: rows and keyRotation do not apply");
    }
    if (opts.items !== undefined && !Array.isArray(opts.items)) throw new PsiError('ITEMS_INVALID', 'items must be an array');
    if (opts.items !== undefined && opts.rows !== undefined && opts.rows.length !== opts.items.length) {
      throw new PsiError('OPTIONS_INVALID', `rows has ${opts.rows.length} entries for ${opts.items.length} items`);
    }
    const storeGroup = opts.store?.current.manifest.group;
    if (storeGroup !== undefined && opts.group !== undefined && opts.group !== storeGroup) {
      throw new PsiError('OPTIONS_INVALID', `group is '${opts.group}' but the store was blinded in '${storeGroup}'`);
    }
    const suite = protocolSuite(opts.group ?? storeGroup);
    checkBackendChoice(opts.backend, suite);
    const rowColumns = opts.rowColumns ?? opts.store?.current.manifest.columns;
    this.#opts = { ...opts, group: suite.name, ...(rowColumns === undefined ? {} : { rowColumns }) };
    const disclosure = opts.disclosure ?? 'policy';
    if (disclosure !== 'policy' && disclosure !== 'exact') {
      throw new PsiError('OPTIONS_INVALID', `disclosure must be 'policy' or 'exact'; got ${JSON.stringify(disclosure)}`);
    }
    this.learn = parseReveal(opts.learn ?? 'intersection', 'learn');
    this.peerLearns = parseReveal(opts.peerLearns ?? (disclosure === 'policy' ? 'released' : 'size'), 'peerLearns');
    if ((disclosure === 'policy') !== (this.peerLearns === 'released')) {
      throw new PsiError(
        'OPTIONS_INVALID',
        `peerLearns '${this.peerLearns}' contradicts disclosure '${disclosure}': a policy releases figures ('released'), exact disclosure does not`,
      );
    }
    this.#policy = disclosure === 'policy' ? (opts.policy ?? {}) : undefined;
    const resolved = this.#policy === undefined ? undefined : resolvePolicy(this.#policy);
    this.#budget = opts.budget ?? new MemoryBudget();
    this.#noiseKey = opts.noiseKey ?? randomBytes(32);
    this.#items = opts.itemCounter ?? new DailyCounter();
    this.#maxItems = optionalIntegerIn(opts.maxItems, 'maxItems', 1, 0xffff_ffff, DEFAULTS.maxItems);
    this.#minItems = optionalIntegerIn(opts.minItems, 'minItems', 1, this.#maxItems, disclosure === 'policy' ? DEFAULTS.minItems : 1);
    if ((opts.values !== undefined || opts.advertiserValues === true) && opts.items === undefined) {
      // A store's rows are read as matched, not held: its users' values and the advertiser's positions are not at hand.
      throw new PsiError('OPTIONS_INVALID', 'value columns (values, advertiserValues) need items, not a store');
    }
    if (opts.values !== undefined) checkServiceValues(opts.values, opts.items!.length);
    this.terms = {
      group: suite.name,
      learn: this.learn,
      peerLearns: this.peerLearns,
      disclosure,
      minItems: this.#minItems,
      maxItems: this.#maxItems,
      ...(opts.keyTypes === undefined ? {} : { keyTypes: checkKeyTypes(opts.keyTypes) }),
      ...(resolved === undefined
        ? {}
        : {
            policy: {
              epsilon: rationalToNumber(resolved.epsilon),
              threshold: resolved.threshold,
              significantDigits: resolved.significantDigits,
            },
          }),
      ...(opts.values === undefined ? {} : { values: Object.fromEntries(Object.entries(opts.values).map(([n, c]) => [n, c.bound])) }),
      // Exact disclosure is a membership oracle already: the semi-honest caveat of advertiser values takes nothing more from it.
      advertiserValues: opts.advertiserValues ?? (disclosure === 'exact' && opts.items !== undefined),
      users: usersOf(opts),
      minAudience: optionalIntegerIn(opts.minAudience, 'minAudience', 1, Number.MAX_SAFE_INTEGER, DEFAULTS.minAudience),
    };
    const retention = opts.audienceRetentionMs === undefined ? {} : { retentionMs: opts.audienceRetentionMs };
    this.audiences = new Audiences(opts.audiences ?? new RetainedAudiences(memoryAudienceRecords(), retention), {
      policy: disclosure === 'policy',
      minAudience: this.terms.minAudience,
    });
    this.#itemsPerDay = optionalIntegerIn(opts.itemsPerDay, 'itemsPerDay', 1, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY);
    this.#sessionsPerDay = optionalIntegerIn(opts.sessionsPerDay, 'sessionsPerDay', 1, Number.MAX_SAFE_INTEGER, DEFAULTS.sessionsPerDay);
    this.#responseBytes = optionalIntegerIn(opts.responseBytes, 'responseBytes', 1, 1 << 30, DEFAULTS.responseBytes);
    const maxSessions = optionalIntegerIn(opts.maxSessions, 'maxSessions', 1, 100_000, DEFAULTS.maxSessions);
    this.#store = new SessionStore({
      maxSessions,
      // An eighth of the slots each: eight tokens must be busy at once before a ninth waits (two could fill half of them).
      maxSessionsPerToken: optionalIntegerIn(
        opts.maxSessionsPerToken,
        'maxSessionsPerToken',
        1,
        maxSessions,
        Math.max(1, Math.floor(maxSessions / 8)),
      ),
      idleTimeoutMs: optionalIntegerIn(opts.idleTimeoutMs, 'idleTimeoutMs', 1, DAY_MS, DEFAULTS.idleTimeoutMs),
      sessionTtlMs: optionalIntegerIn(opts.sessionTtlMs, 'sessionTtlMs', 1, 30 * DAY_MS, DEFAULTS.sessionTtlMs),
      onRemove: opts.onSessionRemoved,
    });
    this.#log = opts.log ?? (() => undefined);
    this.#store.onExpire((session) => this.#ended(session, 'expired'));
    // Under a policy one key per day, so that a repeated list meets the same blinded set and gets the same figure.
    const rotation = opts.keyRotation ?? (disclosure === 'policy' ? DAY_MS : 'session');
    this.#sets =
      opts.store ?? createResponderSets(opts.items!, rotation, { group: suite.name, backend: opts.backend, workers: opts.workers });
    opts.observer?.serviceCreated?.({ sessions: () => this.sessions, storeEpoch: () => opts.store?.current.epoch, group: suite.name });
  }

  /** Sessions in progress. */
  get sessions(): number {
    return this.#store.open();
  }

  /** True once {@link close} or {@link drain} was called: new sessions are refused. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Whether this service holds session `sessionId` (live, of any token): a replica forwards requests for others. */
  holds(sessionId: string): boolean {
    const session = this.#store.get(sessionId);
    return session !== undefined && !this.#store.expired(session);
  }

  /**
   * Refuses new sessions (`SERVICE_CLOSING`) and waits, up to `timeoutMs`, until
   * every session has completed and handed the client its last frames; resolves
   * whether all did. Then {@link close} drops whatever is left.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#closing = true;
    for (const deadline = Date.now() + timeoutMs; this.#store.unsettled() > 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.#store.unsettled() === 0;
  }

  /**
   * Starts a session from the client's HELLO (`frame`, decoded from `body`), or
   * answers a retried HELLO from the cache. Refusals before any work cost the
   * client nothing.
   */
  async open(
    token: TokenEntry,
    frame: Frame,
    body: Uint8Array,
    relationship?: RelationshipRef,
    audience?: AudienceTarget,
  ): Promise<Exchange> {
    if (frame.type !== 'hello' || frame.seq !== 0) {
      throw new PsiError('UNEXPECTED_FRAME', `a session starts with hello frame 0, got ${frame.type} frame ${frame.seq}`);
    }
    const id = bytesToHex(frame.sessionId);
    const existing = this.#store.get(id);
    if (existing !== undefined) {
      // The client retrying its hello after a lost answer gets that answer again.
      const batch = await this.#withSession(existing, async () => {
        const last = existing.last;
        if (existing.tokenId !== token.id || last?.seq !== 0 || last.digest !== digestOf(body)) {
          throw new PsiError('SESSION_EXISTS', `session ${id} already exists`);
        }
        return last.batch;
      });
      return this.#exchange(existing, batch);
    }
    const target = audience === undefined ? undefined : await this.#checkAudience(token, audience);
    const remove = target?.mode === 'remove';
    if (this.#closing) throw new PsiError('SERVICE_CLOSING', 'the service is shutting down');
    if (this.#store.full) throw new PsiError('SERVICE_BUSY', 'too many sessions in progress; retry later');
    const hello = decodeHandshake(frame.payload);
    this.#check(token, hello, remove);
    // Quotas count elements, the work a session costs: rows of several keys cost one element per slot.
    const itemCount = handshakeElements(hello);
    // Registered before the first await, so that concurrent HELLOs of one token count against its limits.
    const session = this.#store.add(id, token.id);
    if (target !== undefined) this.#audienceOf.set(session, target);
    try {
      await this.#charge(token, itemCount, remove);
      if (this.terms.policy !== undefined && !remove) session.releasesCharged = 1;
    } catch (e) {
      this.#store.remove(session);
      throw e;
    }
    const batch = await this.#withSession(session, async () => {
      try {
        session.lease = await this.#sets.acquire();
        const { store } = session.lease;
        // A relationship needs a store to keep the set in, and a client that does not join itself (it keeps nothing):
        // otherwise the session runs in full.
        // It also needs the set returned in order (the service learns 'intersection'), to keep each segment's part.
        // A remove session releases nothing: the client learns 'none', with no figure and no value column.
        const peerLearns = remove ? 'none' : this.peerLearns;
        const policy = remove ? undefined : this.#policy;
        if (relationship !== undefined && store !== undefined && this.learn === 'intersection' && !learnsCount(peerLearns)) {
          session.relationship = await openRelationship(store, token.id, relationship, this.#opts.relationshipStates);
        }
        const { group, backend, workers, chunkItems } = this.#opts;
        const utf8 = new TextEncoder();
        session.party = new PlatformParty(
          {
            role: 'responder',
            ...(session.relationship === undefined ? session.lease.source : { storedSet: session.relationship.set }),
            learn: this.learn,
            peerLearns,
            maxPeerItems: this.#maxItems,
            group,
            backend,
            workers,
            chunkItems,
            ...(policy === undefined
              ? {}
              : {
                  disclosure: {
                    policy,
                    // One user counts once however many of its identifiers matched: the sensitivity stays 1.
                    countMatches: async (matches: readonly number[]) => {
                      const rows = await this.#rowsOf(session, matches);
                      // The result names the same matches: read from a store's row map once, not again.
                      this.#countedRows.set(session, rows);
                      return new Set(rows.map((r) => r.user)).size;
                    },
                    noiseKey: this.#noiseKey,
                    // The same client bytes against the same key and set give the same figure; anything else, fresh noise.
                    // A relationship's kept data joins too: its digest (id, key fingerprint, kept checksums) is bound in.
                    context: [
                      utf8.encode(token.id),
                      utf8.encode(session.lease.version),
                      utf8.encode(JSON.stringify(this.terms.policy)),
                      ...(session.relationship === undefined ? [] : [session.relationship.digest]),
                    ],
                  },
                }),
          },
          remove
            ? {}
            : {
                // Value columns come with the items path only (serve --values reads them from the input file).
                ...(this.#opts.values === undefined ? {} : { columns: this.#opts.values, personOf: (i: number) => this.#rowOf(i).line }),
                encryptedColumns: this.terms.advertiserValues,
                ...(this.#policy === undefined
                  ? {}
                  : {
                      policy: this.#policy,
                      // One debit per figure, before any is computed; settled with the count's (free repeats).
                      charge: async (figures) => {
                        for (let k = 0; k < figures; k++) {
                          await this.#budget.charge(token.id, this.#policy!.epsilon ?? this.terms.policy!.epsilon);
                          session.releasesCharged = (session.releasesCharged ?? 0) + 1;
                        }
                      },
                    }),
              },
        );
        if (session.lease.store !== undefined) session.party.deferOwnFrames();
        const rel = session.relationship;
        this.#log(
          `session ${id} (${token.id}) started: ${itemCount} client items${rel === undefined ? '' : `; relationship ${relationship!.id}: ${rel.sent} elements sent, ${rel.kept} kept`}`,
        );
        return await this.#feed(session, frame, body);
      } catch (e) {
        // Refused at the handshake or closed before its answer: none of the client's items was blinded.
        // Epsilon charged is never given back here. A refund that fails (a ledger closed by a shutdown) keeps the
        // items spent and never hides why the session ended.
        await Promise.resolve(this.#items.refund(token.id, itemCount)).catch(() => undefined);
        this.#sessionsToday.refund(token.id, 1);
        throw e;
      }
    });
    this.#opts.observer?.sessionStarted?.({ sessionId: id, elements: itemCount });
    return this.#exchange(session, batch);
  }

  /** Feeds the client's next frame to its session, acknowledging the service's frames before `ack`. */
  async deliver(token: TokenEntry, sessionId: string, frame: Frame, body: Uint8Array, ack?: number): Promise<Exchange> {
    const session = this.#find(token, sessionId);
    if (bytesToHex(frame.sessionId) !== session.id) {
      throw new PsiError('SESSION_MISMATCH', 'the frame belongs to another session than the one named');
    }
    const batch = await this.#withSession(session, async () => {
      session.outbox.acknowledge(ack);
      const last = session.last;
      if (last !== undefined && last.seq === frame.seq && last.digest === digestOf(body)) return last.batch;
      if (session.state === 'done') throw new PsiError('SESSION_DONE', `session ${session.id} has already completed`);
      return this.#feed(session, frame, body);
    });
    return this.#exchange(session, batch);
  }

  /** The service's frames after `ack` that did not fit earlier replies. */
  async pull(token: TokenEntry, sessionId: string, ack?: number): Promise<Exchange> {
    const session = this.#find(token, sessionId);
    const batch = await this.#withSession(session, async () => {
      session.outbox.acknowledge(ack);
      return session.outbox.batch(this.#responseBytes);
    });
    return this.#exchange(session, batch);
  }

  /** Where a session stands. */
  status(token: TokenEntry, sessionId: string): SessionStatus {
    const session = this.#find(token, sessionId);
    return {
      sessionId: session.id,
      state: session.state,
      startedAt: new Date(session.startedAt).toISOString(),
      lastSeen: new Date(session.lastSeen).toISOString(),
      framesReceived: session.last === undefined ? 0 : session.last.seq + 1,
      framesPending: session.outbox.length,
    };
  }

  /** Ends a session at the client's request; a step in progress rejects with `SESSION_CLOSED`. */
  abort(token: TokenEntry, sessionId: string): void {
    const session = this.#find(token, sessionId);
    this.#ended(session, 'aborted');
    this.#store.remove(session);
    this.#log(`session ${session.id} (${session.tokenId}) aborted by the client`);
  }

  /** Refuses new sessions, drops live ones and zeroises every key. */
  async close(): Promise<void> {
    this.#closing = true;
    this.audiences.close();
    this.#store.close();
    this.#sets.close();
  }

  /**
   * Where `token`'s privacy budget stands, under a policy (`GET /v1/terms`).
   *
   * @example
   * ```ts
   * (await service.budgetOf(token))?.releasesLeft; // 4 for a fresh token at the defaults
   * ```
   */
  async budgetOf(token: TokenEntry): Promise<TermsBudget | undefined> {
    if (this.terms.policy === undefined) return undefined;
    return budgetView(this.#budget, token.id, this.#policy!.epsilon ?? this.terms.policy.epsilon);
  }

  /** A session's audience, checked before anything is charged or blinded: the service must learn who matched. */
  async #checkAudience(token: TokenEntry, audience: AudienceTarget): Promise<AudienceTarget> {
    if (this.learn !== 'intersection') {
      throw new PsiError('AUDIENCE_UNAVAILABLE', `this service learns '${this.learn}', not who matched: it keeps no audiences`);
    }
    return this.audiences.check(token.id, audience);
  }

  /** Checks every limit a new session must pass; throws before anything is charged or blinded. */
  #check(token: TokenEntry, hello: Handshake, remove = false): void {
    // A remove session releases nothing: the client learns 'none', whatever the service grants others.
    const grants = remove ? 'none' : this.peerLearns;
    if (hello.learn !== grants || hello.peerLearns !== this.learn) {
      throw new PsiError(
        'MODE_MISMATCH',
        `the client wants to learn '${hello.learn}' and grants '${hello.peerLearns}'; this service grants '${grants}' and learns '${this.learn}' (GET /v1/terms)`,
      );
    }
    const { itemCount } = hello;
    const elements = handshakeElements(hello);
    if (elements > this.#maxItems) {
      throw new PsiError('TOO_MANY_ITEMS', `the client declares ${elements} elements; this service accepts at most ${this.#maxItems}`);
    }
    // An empty or tiny set makes the service blind its whole set for a membership test, not a match.
    // A remove session tells the client nothing, so one erasure request may name a single person.
    const least = remove ? 1 : this.#minItems;
    if (itemCount < least && (this.learn !== 'none' || this.peerLearns !== 'none')) {
      throw new PsiError('TOO_FEW_ITEMS', `the client declares ${itemCount} distinct items; this service needs at least ${least}`);
    }
    if (this.#store.tokenFull(token.id)) {
      throw new PsiError('TOKEN_BUSY', `${token.id} has as many sessions in progress as it may; finish one first`);
    }
    if (this.#sessionsToday.used(token.id) >= this.#sessionsPerDay) {
      throw new PsiError('SESSIONS_EXCEEDED', `${token.id} has started its ${this.#sessionsPerDay} sessions for today`);
    }
  }

  /** Charges a new session to its token: a session today, its items, and under a policy one release's epsilon (none for a remove, which releases nothing). */
  async #charge(token: TokenEntry, itemCount: number, remove = false): Promise<void> {
    const limit = token.itemsPerDay ?? this.#itemsPerDay;
    if (!(await this.#items.charge(token.id, itemCount, limit))) {
      throw new PsiError('QUOTA_EXCEEDED', `${itemCount} items exceed what is left today for ${token.id}`);
    }
    if (this.terms.policy !== undefined && !remove) {
      try {
        await this.#budget.charge(token.id, this.#policy!.epsilon ?? this.terms.policy.epsilon);
      } catch (e) {
        await this.#items.refund(token.id, itemCount);
        throw e;
      }
    }
    this.#sessionsToday.charge(token.id, 1, this.#sessionsPerDay);
  }

  /** A live session of `token`; another token's session is reported as absent, so ids cannot be probed. */
  #find(token: TokenEntry, sessionId: string): Session {
    const session = this.#store.get(sessionId);
    if (session === undefined || session.tokenId !== token.id || this.#store.expired(session)) {
      throw new PsiError('SESSION_NOT_FOUND', `no session ${sessionId} (never started, finished and collected, or expired)`);
    }
    return session;
  }

  /** Runs `fn` alone on the session, and treats a session past its limits as gone. */
  async #withSession<T>(session: Session, fn: () => Promise<T>): Promise<T> {
    session.busy++;
    const run = session.lock.then(async () => {
      if (this.#store.get(session.id) !== session || this.#store.expired(session)) {
        if (this.#store.expired(session)) this.#ended(session, 'expired');
        this.#store.remove(session);
        throw new PsiError('SESSION_NOT_FOUND', `session ${session.id} has ended or expired`);
      }
      try {
        return await fn();
      } finally {
        session.lastSeen = Date.now();
      }
    });
    session.lock = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      session.busy--;
    }
  }

  /** Feeds one frame to the session's party, records the answer, and finishes the session when done. */
  async #feed(session: Session, frame: Frame, body: Uint8Array): Promise<Batch> {
    const party = session.party;
    if (party === undefined) throw new PsiError('SESSION_NOT_FOUND', `session ${session.id} has ended`);
    let out: Uint8Array[];
    try {
      out = await party.stepFrame(frame);
    } catch (e) {
      this.#ended(session, 'failed');
      this.#store.remove(session);
      throw e;
    }
    session.outbox.push(out);
    // A stored set's own frames are read from disk as replies carry them (Outbox), never held whole.
    const deferred = party.takeDeferred();
    if (deferred !== undefined) session.outbox.pushDeferred(deferred);
    if (party.done && session.state === 'open') await this.#finish(session, party);
    const batch = await session.outbox.batch(this.#responseBytes);
    session.last = { seq: frame.seq, digest: digestOf(body), batch };
    return batch;
  }

  async #finish(session: Session, party: PlatformParty): Promise<void> {
    const outcome = party.result();
    session.state = 'done';
    session.party = undefined;
    await party.close();
    const lease = session.lease!;
    let rows: MatchedRow[] | undefined;
    try {
      await this.#settle(session, party);
      await session.relationship?.commit();
      const counted = this.#countedRows.get(session);
      rows = outcome.matches === undefined ? undefined : this.#matchedRows(counted ?? (await this.#rowsOf(session, outcome.matches)));
    } finally {
      lease.release();
      session.lease = undefined;
      session.relationship = undefined;
    }
    const finishedAt = Date.now();
    const { rowColumns } = this.#opts;
    const target = this.#audienceOf.get(session);
    // A remove session keeps only which of the audience's users matched: the rest of the match is forgotten here.
    if (target?.mode === 'remove' && rows !== undefined) rows = await this.audiences.members(session.tokenId, target.name, rows);
    const result: SessionResult = {
      summary: {
        sessionId: session.id,
        tokenId: session.tokenId,
        learn: this.learn,
        peerLearns: target?.mode === 'remove' ? 'none' : this.peerLearns,
        items: outcome.ownSize,
        rows: lease.store?.manifest.items ?? this.#opts.items!.length,
        peerSize: outcome.peerSize,
        ...(outcome.size === undefined || target?.mode === 'remove' ? {} : { size: outcome.size }),
        ...(rows === undefined ? {} : { matched: rows.length }),
        ...(outcome.released === undefined ? {} : { released: outcome.released }),
        ...(outcome.aggregates === undefined ? {} : { aggregates: outcome.aggregates.columns }),
        ...(outcome.encryptedColumns === undefined ? {} : { encryptedColumns: outcome.encryptedColumns }),
        ...(rowColumns === undefined ? {} : { columns: [...rowColumns] }),
        startedAt: new Date(session.startedAt).toISOString(),
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs: finishedAt - session.startedAt,
      },
      ...(rows === undefined ? {} : { rows }),
    };
    try {
      await this.#opts.onResult?.(result);
    } catch (e) {
      this.#opts.observer?.sessionEnded?.({ sessionId: session.id, outcome: 'failed' });
      this.#store.remove(session);
      throw e instanceof PsiError ? e : new PsiError('RESULT_WRITE_FAILED', `result handler failed: ${(e as Error).message}`, { cause: e });
    }
    if (target !== undefined) await this.#recordAudience(session, target, result);
    const { peerSize, size, matched } = result.summary;
    this.#log(
      `session ${session.id} (${session.tokenId}) done: peerSize ${peerSize}${size === undefined ? '' : `, size ${size}`}${matched === undefined ? '' : `, ${matched} rows`}`,
    );
    this.#opts.observer?.sessionCompleted?.(result.summary);
  }

  /** Tells the observer that an accepted session, still registered and in progress, ends without completing. */
  #ended(session: Session, outcome: SessionOutcome): void {
    // A session whose HELLO was never answered was refused, not started: the handler reports that.
    if (session.last === undefined || session.state !== 'open' || this.#store.get(session.id) !== session) return;
    this.#opts.observer?.sessionEnded?.({ sessionId: session.id, outcome });
  }

  /** Applies a finished session to its audience; a failure ends the session and leaves the old audience. */
  async #recordAudience(session: Session, target: AudienceTarget, result: SessionResult): Promise<void> {
    const { summary } = result;
    try {
      await this.audiences.record(session.tokenId, target, {
        rows: result.rows ?? [],
        columns: this.#opts.rowColumns,
        released: summary.released ?? null,
        sent: summary.peerSize,
        at: Date.parse(summary.finishedAt),
      });
    } catch (e) {
      this.#store.remove(session);
      throw e instanceof PsiError
        ? e
        : new PsiError('AUDIENCE_WRITE_FAILED', `audience update failed: ${(e as Error).message}`, { cause: e });
    }
    this.#log(`session ${session.id} (${session.tokenId}) updated an audience (${target.mode})`);
  }

  /**
   * A byte-identical repeat of an earlier session of the token (the same release
   * seed) was answered with the same figures and so is given its charges back
   * (docs/privacy.md, "Free repeats"). A failure keeps the charges: never an error that hands out budget.
   */
  async #settle(session: Session, party: PlatformParty): Promise<void> {
    const seed = party.releaseSeed;
    const releases = session.releasesCharged ?? 0;
    if (seed === undefined || releases === 0 || this.#budget.settle === undefined) return;
    const epsilon = toRational(this.#policy!.epsilon ?? this.terms.policy!.epsilon);
    try {
      const repeat = await this.#budget.settle(session.tokenId, bytesToHex(seed), {
        numerator: Number(epsilon.num) * releases,
        denominator: Number(epsilon.den),
      });
      if (repeat) this.#log(`session ${session.id} (${session.tokenId}) repeated an earlier one byte for byte: not charged`);
    } catch (e) {
      this.#log(`session ${session.id} (${session.tokenId}) could not be settled, its charges stand: ${(e as Error).message}`);
    }
  }

  /**
   * The rows behind matched own indices (a store's, or its relationship view's), in input order, each with
   * the user it names: its line, and in a store also the file it came from (added files have lines of their own).
   */
  async #rowsOf(session: Session, matches: readonly number[]): Promise<{ user: string; row: MatchedRow }[]> {
    const source = session.relationship ?? session.lease?.store;
    if (source !== undefined) return (await source.rowsOf(matches)).map((r) => ({ user: `${r.source}:${r.row.line}`, row: r.row }));
    return matches.map((i) => this.#rowOf(i)).map((row) => ({ user: String(row.line), row }));
  }

  /** With `rowColumns`, each user's row once however many of its identifiers matched. */
  #matchedRows(all: { user: string; row: MatchedRow }[]): MatchedRow[] {
    if (this.#opts.rowColumns === undefined) return all.map((r) => r.row);
    const seen = new Set<string>();
    return all.filter((r) => !seen.has(r.user) && seen.add(r.user)).map((r) => r.row);
  }

  #rowOf(i: number): MatchedRow {
    const given = this.#opts.rows?.[i];
    if (given !== undefined) return given;
    const item = this.#opts.items![i]!;
    return { line: i + 1, value: typeof item === 'string' ? item : bytesToHex(item) };
  }

  #exchange(session: Session, batch: Batch): Exchange {
    const end = session.outbox.start + session.outbox.length;
    session.pending = Math.max(0, end - (batch.firstSeq + batch.frames.length));
    return { sessionId: session.id, frames: batch.frames, pending: session.pending };
  }
}

/** The platform's users: distinct rows of its input, or a store's stored identifiers (its manifest counts no users). */
function usersOf(opts: SessionServiceOptions): number {
  const manifest = opts.store?.current.manifest;
  if (manifest !== undefined) return manifest.elements - manifest.removed;
  if (opts.rows !== undefined) return new Set(opts.rows.map((r) => r.line)).size;
  return opts.items?.length ?? 0;
}

/** Service value columns: names a MEASURE frame can carry, one value per item, a positive bound each. */
function checkServiceValues(values: PlatformColumns, items: number): void {
  if (typeof values !== 'object' || values === null) throw new PsiError('OPTIONS_INVALID', 'values must be an object of columns');
  const names = Object.keys(values);
  if (names.length > MAX_VALUE_COLUMNS || names.some((n) => n.length < 1 || n.length > 64)) {
    throw new PsiError('OPTIONS_INVALID', `values: at most ${MAX_VALUE_COLUMNS} columns, each named in 1..64 characters`);
  }
  for (const [name, column] of Object.entries(values)) {
    checkValueColumn(column.values, name, items);
    if (!Number.isSafeInteger(column.bound) || column.bound < 1) {
      throw new PsiError('OPTIONS_INVALID', `the bound of value column ${name} must be a positive integer`);
    }
  }
}
