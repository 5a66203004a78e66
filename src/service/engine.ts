// Sessions blind on Node's worker threads: the service installs them for every blinder of the process.
import '../pool/install.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { MemoryBudget } from '../disclosure/memory-budget.js';
import { PsiError, type PsiErrorCode } from '../errors.js';
import { warmBlindingThreads } from '../group/create-blinder.js';
import type { BlindingLease } from '../group/threads.js';
import type { PlatformParty } from '../measurement/platform-party.js';
import type { MeasuredResult } from '../measurement/types.js';
import { checkRelationshipRef, type Relationship, type RelationshipRef } from '../store/relationship.js';
import type { AudienceTarget } from '../wire/audience.js';
import type { Frame } from '../wire/frame.js';
import { decodeHandshake, handshakeElements } from '../wire/messages.js';
import type { Reveal } from '../wire/reveal.js';
import type { ServiceTerms, TermsBudget } from '../wire/terms.js';
import { Admission } from './admission.js';
import { Audiences } from './audiences/audiences.js';
import { memoryAudienceRecords, RetainedAudiences } from './audiences/store.js';
import { DailyCounter } from './daily-counter.js';
import { resolveServiceConfig, type ServiceConfig, type SessionServiceOptions } from './config.js';
import { Finishes } from './finishes.js';
import { createResponderSets, type ResponderLease, type ResponderSets } from './key-rotation.js';
import type { SessionOutcome } from './observer.js';
import type { MatchedRow, SessionResult } from './result.js';
import { openSessionParty, type SessionPartyParts } from './session-party.js';
import { SessionStore, type Batch, type Session } from './session-store.js';
import type { TokenEntry } from './tokens.js';
import { UserRows, type UserRow } from './user-rows.js';

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
 * (await service.status(token, id)).state; // 'open'
 * ```
 */
export interface SessionStatus {
  sessionId: string;
  /** `'failed'`: the session completed, but its result or audience could not be written (see `error`). */
  state: 'open' | 'done' | 'failed';
  startedAt: string;
  lastSeen: string;
  framesReceived: number;
  framesPending: number;
  /** Why a `'failed'` session's result or audience was not written: the code a request would have failed with. */
  error?: { code: PsiErrorCode; message: string };
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
 * A session's last answer (its RELEASE) waits only for work that does not
 * depend on which elements matched: the budget's settlement and the
 * relationship's kept set. Reading the matched rows, `onResult`, the audience
 * and the completion event follow once the client holds every frame, without
 * holding up any answer; {@link status}, the token's audiences, {@link drain}
 * and {@link close} wait for them.
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
  readonly #config: ServiceConfig;
  readonly #store: SessionStore;
  readonly #admission: Admission;
  readonly #rows: UserRows;
  readonly #parts: SessionPartyParts;
  readonly #sets: ResponderSets;
  readonly #log: (line: string) => void;
  #closing = false;
  /** Rows a released figure counted, by session, for its result. */
  readonly #countedRows = new WeakMap<Session, UserRow[]>();
  /** The audience each session updates, when its HELLO named one. */
  readonly #audienceOf = new WeakMap<Session, AudienceTarget>();
  /** The blinding threads, kept running for the service's life: no session waits for threads that stopped while idle. */
  readonly #threads: Promise<BlindingLease | undefined>;
  /** What completed sessions do after their last answer. */
  readonly #finishes = new Finishes<Session>((session, e) => this.#finishFailed(session, e));

  constructor(opts: SessionServiceOptions) {
    const config = resolveServiceConfig(opts);
    const { options } = config;
    this.#config = config;
    this.learn = config.learn;
    this.peerLearns = config.peerLearns;
    this.terms = config.terms;
    const retention = options.audienceRetentionMs === undefined ? {} : { retentionMs: options.audienceRetentionMs };
    this.audiences = new Audiences(options.audiences ?? new RetainedAudiences(memoryAudienceRecords(), retention), {
      policy: config.policy !== undefined,
      minAudience: config.terms.minAudience,
      settled: (tokenId) => this.#finishes.ofToken(tokenId),
    });
    this.#store = new SessionStore({ ...config.sessionLimits, onRemove: options.onSessionRemoved });
    this.#log = options.log ?? (() => undefined);
    this.#admission = new Admission(config, {
      budget: options.budget ?? new MemoryBudget(),
      itemCounter: options.itemCounter ?? new DailyCounter(),
      sessions: this.#store,
      log: this.#log,
    });
    this.#rows = new UserRows(options);
    this.#parts = { config, noiseKey: options.noiseKey ?? randomBytes(32), rows: this.#rows, admission: this.#admission };
    this.#store.onExpire((session) => {
      this.#ended(session, 'expired');
      this.#finishes.start(session);
    });
    this.#sets =
      options.store ??
      createResponderSets(options.items!, config.keyRotation, { group: options.group, backend: options.backend, workers: options.workers });
    const { group, backend, workers } = options;
    // A backend that fails to load fails each session's blinder, which reports it.
    this.#threads = warmBlindingThreads({ group, backend, workers }).catch(() => undefined);
    options.observer?.serviceCreated?.({
      sessions: () => this.sessions,
      storeEpoch: () => options.store?.current.epoch,
      group: options.group,
    });
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
   * every session has completed, handed the client its last frames and done
   * what follows (its result and audience); resolves whether all did. Then
   * {@link close} drops whatever is left.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#closing = true;
    const settled = () => this.#store.unsettled() === 0 && this.#finishes.size === 0;
    for (const deadline = Date.now() + timeoutMs; !settled() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return settled();
  }

  /**
   * Starts a session from the client's HELLO (`frame`, decoded from `body`), or
   * answers a retried HELLO from the cache. Refusals before any work cost the
   * client nothing. `relationship` (the client's id and key fingerprint) is
   * checked first, `PAYLOAD_INVALID` when malformed.
   */
  async open(
    token: TokenEntry,
    frame: Frame,
    body: Uint8Array,
    relationship?: RelationshipRef,
    audience?: AudienceTarget,
  ): Promise<Exchange> {
    if (relationship !== undefined) checkRelationshipRef(relationship);
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
    this.#admission.check(token, hello, remove);
    // Quotas count elements, the work a session costs: rows of several keys cost one element per slot.
    const itemCount = handshakeElements(hello);
    // Registered before the first await, so that concurrent HELLOs of one token count against its limits.
    const session = this.#store.add(id, token.id);
    if (target !== undefined) this.#audienceOf.set(session, target);
    try {
      await this.#admission.charge(session, token, itemCount, remove);
    } catch (e) {
      this.#store.remove(session);
      throw e;
    }
    const batch = await this.#withSession(session, async () => {
      try {
        session.lease = await this.#sets.acquire();
        session.party = await openSessionParty(this.#parts, session, {
          relationship,
          remove,
          elements: itemCount,
          counted: (rows) => this.#countedRows.set(session, rows),
        });
        const rel = session.relationship;
        this.#log(
          `session ${id} (${token.id}) started: ${itemCount} client items${rel === undefined ? '' : `; relationship ${relationship!.id}: ${rel.sent} elements sent, ${rel.kept} kept`}`,
        );
        return await this.#feed(session, frame, body);
      } catch (e) {
        await this.#admission.refund(token, itemCount);
        throw e;
      }
    });
    this.#config.options.observer?.sessionStarted?.({ sessionId: id, elements: itemCount });
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
      return session.outbox.batch(this.#config.responseBytes);
    });
    return this.#exchange(session, batch);
  }

  /**
   * Where a session stands; for a completed one, once its result and audience
   * are written (`'done'`) or failed to be (`'failed'`, with the code).
   */
  async status(token: TokenEntry, sessionId: string): Promise<SessionStatus> {
    const session = this.#find(token, sessionId);
    await this.#finishes.of(session);
    const { failure } = session;
    return {
      sessionId: session.id,
      state: failure === undefined ? session.state : 'failed',
      startedAt: new Date(session.startedAt).toISOString(),
      lastSeen: new Date(session.lastSeen).toISOString(),
      framesReceived: session.last === undefined ? 0 : session.last.seq + 1,
      framesPending: session.outbox.length,
      ...(failure === undefined ? {} : { error: failure }),
    };
  }

  /** Ends a session at the client's request; a step in progress rejects with `SESSION_CLOSED`. */
  abort(token: TokenEntry, sessionId: string): void {
    const session = this.#find(token, sessionId);
    this.#ended(session, 'aborted');
    // A completed session's result is written even when the client leaves before pulling its last frames.
    this.#finishes.start(session);
    this.#store.remove(session);
    this.#log(`session ${session.id} (${session.tokenId}) aborted by the client`);
  }

  /** Refuses new sessions, lets completed ones write their results and audiences, drops live ones and zeroises every key. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#finishes.all();
    this.audiences.close();
    this.#store.close();
    this.#sets.close();
    (await this.#threads)?.release();
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
    return this.#admission.budgetOf(token);
  }

  /** A session's audience, checked before anything is charged or blinded: the service must learn who matched. */
  async #checkAudience(token: TokenEntry, audience: AudienceTarget): Promise<AudienceTarget> {
    if (this.learn !== 'intersection') {
      throw new PsiError('AUDIENCE_UNAVAILABLE', `this service learns '${this.learn}', not who matched: it keeps no audiences`);
    }
    return this.audiences.check(token.id, audience);
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
        this.#finishes.start(session);
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
    const batch = await session.outbox.batch(this.#config.responseBytes);
    session.last = { seq: frame.seq, digest: digestOf(body), batch };
    return batch;
  }

  /**
   * Completes a session up to its last answer: only what that answer needs and
   * what does not depend on which elements matched. The budget's settlement is
   * durable before the RELEASE leaves; the relationship keeps what the client
   * returned (work of the set's size, not of the matches) so that its next
   * session joins it. The rest waits for the answer: {@link #afterAnswer},
   * which takes the lease (the store epoch whose rows it reads) and the relationship.
   */
  async #finish(session: Session, party: PlatformParty): Promise<void> {
    const outcome = party.result();
    session.state = 'done';
    session.party = undefined;
    await party.close();
    const lease = session.lease!;
    const relationship = session.relationship;
    session.lease = undefined;
    session.relationship = undefined;
    try {
      await this.#admission.settle(session, party.releaseSeed);
      await relationship?.commit();
    } catch (e) {
      lease.release();
      throw e;
    }
    this.#finishes.queue(session, session.tokenId, () => this.#afterAnswer(session, outcome, lease, relationship));
  }

  /**
   * What a completed session does once its client holds every frame: reads
   * the matched rows (then lets the lease go), hands the result to `onResult`,
   * updates the audience, logs and tells the observer. A failure is reported
   * by {@link #finishFailed}: `RESULT_WRITE_FAILED` or `AUDIENCE_WRITE_FAILED`
   * (the old audience kept) unless it carries a code of its own.
   */
  async #afterAnswer(
    session: Session,
    outcome: MeasuredResult,
    lease: ResponderLease,
    relationship: Relationship | undefined,
  ): Promise<void> {
    let rows: MatchedRow[] | undefined;
    try {
      const counted = this.#countedRows.get(session);
      rows =
        outcome.matches === undefined
          ? undefined
          : this.#rows.distinct(counted ?? (await this.#rows.matched(relationship ?? lease.store, outcome.matches)));
    } finally {
      lease.release();
    }
    const finishedAt = Date.now();
    const { rowColumns } = this.#config.options;
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
        rows: lease.store?.manifest.items ?? this.#config.options.items!.length,
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
      await this.#config.options.onResult?.(result);
    } catch (e) {
      throw e instanceof PsiError ? e : new PsiError('RESULT_WRITE_FAILED', `result handler failed: ${(e as Error).message}`, { cause: e });
    }
    if (target !== undefined) await this.#recordAudience(session, target, result);
    const { peerSize, size, matched } = result.summary;
    this.#log(
      `session ${session.id} (${session.tokenId}) done: peerSize ${peerSize}${size === undefined ? '' : `, size ${size}`}${matched === undefined ? '' : `, ${matched} rows`}${relationship === undefined ? '' : `; ${relationship.reblindHits} client elements re-blinded by an earlier session`}`,
    );
    this.#config.options.observer?.sessionCompleted?.(result.summary);
  }

  /**
   * A completed session whose result or audience could not be written: its
   * status reports the code (`'failed'`), the log has it (code and message,
   * never a key or a token) and the observer hears the session failed.
   */
  #finishFailed(session: Session, e: unknown): void {
    const error = e instanceof PsiError ? e : new PsiError('INTERNAL', 'internal error');
    session.failure = { code: error.code, message: error.message };
    const why = e instanceof PsiError ? e.message : (e as Error)?.message;
    this.#log(`session ${session.id} (${session.tokenId}) failed after its answer: ${error.code}: ${why}`);
    this.#config.options.observer?.sessionEnded?.({ sessionId: session.id, outcome: 'failed' });
  }

  /** Tells the observer that an accepted session, still registered and in progress, ends without completing. */
  #ended(session: Session, outcome: SessionOutcome): void {
    // A session whose HELLO was never answered was refused, not started: the handler reports that.
    if (session.last === undefined || session.state !== 'open' || this.#store.get(session.id) !== session) return;
    this.#config.options.observer?.sessionEnded?.({ sessionId: session.id, outcome });
  }

  /** Applies a finished session to its audience; a failure leaves the old audience. */
  async #recordAudience(session: Session, target: AudienceTarget, result: SessionResult): Promise<void> {
    const { summary } = result;
    try {
      await this.audiences.record(session.tokenId, target, {
        rows: result.rows ?? [],
        columns: this.#config.options.rowColumns,
        released: summary.released ?? null,
        sent: summary.peerSize,
        at: Date.parse(summary.finishedAt),
      });
    } catch (e) {
      throw e instanceof PsiError
        ? e
        : new PsiError('AUDIENCE_WRITE_FAILED', `audience update failed: ${(e as Error).message}`, { cause: e });
    }
    this.#log(`session ${session.id} (${session.tokenId}) updated an audience (${target.mode})`);
  }

  #exchange(session: Session, batch: Batch): Exchange {
    const end = session.outbox.start + session.outbox.length;
    session.pending = Math.max(0, end - (batch.firstSeq + batch.frames.length));
    // This answer carries a completed session's last frames: what follows it may start (after it is sent).
    if (session.state === 'done' && session.pending === 0) this.#finishes.start(session);
    return { sessionId: session.id, frames: batch.frames, pending: session.pending };
  }
}
