import type { PsiErrorCode } from '../errors.js';
import type { PlatformParty } from '../measurement/platform-party.js';
import type { Relationship } from '../store/relationship.js';
import type { ResponderLease } from './key-rotation.js';
import { Outbox, type Batch } from './outbox.js';

export type { Batch } from './outbox.js';

/**
 * The service's state of one session: its party, its lent key, the frames it
 * has produced but the client has not yet acknowledged, and the answer to the
 * last frame (replayed, not recomputed, when the client retries that frame).
 *
 * @example
 * ```ts
 * const session = store.get(id); // routed by the id in the frame header
 * ```
 */
export interface Session {
  readonly id: string;
  readonly tokenId: string;
  readonly startedAt: number;
  lastSeen: number;
  state: 'open' | 'done';
  /** Requests of this session being handled; a busy session never expires. */
  busy: number;
  /** Serialises the session's requests. */
  lock: Promise<unknown>;
  party?: PlatformParty | undefined;
  lease?: ResponderLease | undefined;
  /** The client's relationship on the store, when it named one: what this session sends, joins and keeps. */
  relationship?: Relationship | undefined;
  /** Releases charged to the token for this session (its count, then each measured figure). */
  releasesCharged?: number;
  /** Seq and digest of the last frame the party took, and the answer to it. */
  last?: { seq: number; digest: string; batch: Batch } | undefined;
  /** Produced frames not yet acknowledged, deferred ones made as replies carry them. */
  outbox: Outbox;
  /** Frames the last reply left for the client to pull. */
  pending?: number;
  /** Why the work after a completed session's answer (rows, result, audience) failed, when it did. */
  failure?: { code: PsiErrorCode; message: string } | undefined;
}

/**
 * Limits of a {@link SessionStore}.
 *
 * @example
 * ```ts
 * const limits: SessionLimits = { maxSessions: 16, maxSessionsPerToken: 8, idleTimeoutMs: 120_000, sessionTtlMs: 3_600_000 };
 * ```
 */
export interface SessionLimits {
  /** Sessions in progress at once; finished ones waiting for pickup do not count. */
  maxSessions: number;
  /** Sessions in progress at once under one token, so that one token cannot take every slot. */
  maxSessionsPerToken: number;
  /** A session with no request for this long is dropped. */
  idleTimeoutMs: number;
  /** A session older than this is dropped, busy or not at its next request. */
  sessionTtlMs: number;
  /** Hears the id of every session dropped, however it ended. */
  onRemove?: ((sessionId: string) => void) | undefined;
}

/**
 * The live sessions of one service, with their limits enforced by a periodic
 * sweep. Removing a session closes its party, zeroising the key.
 *
 * @example
 * ```ts
 * const store = new SessionStore({ maxSessions: 16, maxSessionsPerToken: 8, idleTimeoutMs: 60_000, sessionTtlMs: 600_000 });
 * ```
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #limits: SessionLimits;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(limits: SessionLimits) {
    this.#limits = limits;
    const every = Math.min(5_000, Math.max(20, Math.min(limits.idleTimeoutMs, limits.sessionTtlMs) / 4));
    this.#timer = setInterval(() => this.sweep(), every);
    // In Node the sweep must not keep the process alive; browsers have no unref.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Sessions in progress, of every token or of `tokenId`. */
  open(tokenId?: string): number {
    let n = 0;
    for (const s of this.#sessions.values()) if (s.state === 'open' && (tokenId === undefined || s.tokenId === tokenId)) n++;
    return n;
  }

  /** Sessions still in progress, handling a request, or with frames the client has yet to pull. */
  unsettled(): number {
    let n = 0;
    for (const s of this.#sessions.values()) if (s.state === 'open' || s.busy > 0 || (s.pending ?? 0) > 0) n++;
    return n;
  }

  /** Whether the service as a whole can take another session now. */
  get full(): boolean {
    return this.open() >= this.#limits.maxSessions;
  }

  /** Whether `tokenId` already has as many sessions in progress as it may. */
  tokenFull(tokenId: string): boolean {
    return this.open(tokenId) >= this.#limits.maxSessionsPerToken;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** Registers a new session under its id, at once, so concurrent creations count. */
  add(id: string, tokenId: string, now = Date.now()): Session {
    const session: Session = {
      id,
      tokenId,
      startedAt: now,
      lastSeen: now,
      state: 'open',
      busy: 0,
      lock: Promise.resolve(),
      outbox: new Outbox(),
    };
    this.#sessions.set(id, session);
    return session;
  }

  /** Drops a session and releases its party and key; idempotent. */
  remove(session: Session): void {
    if (this.#sessions.get(session.id) === session) {
      this.#sessions.delete(session.id);
      this.#limits.onRemove?.(session.id);
    }
    release(session);
  }

  /** Whether a session outlived its limits; such a session is treated as gone. */
  expired(session: Session, now = Date.now()): boolean {
    const { idleTimeoutMs, sessionTtlMs } = this.#limits;
    if (now - session.lastSeen > idleTimeoutMs && session.busy === 0) return true;
    return session.state === 'open' && now - session.startedAt > sessionTtlMs;
  }

  #expireListener: ((session: Session) => void) | undefined;

  /** Sets what hears of each session the sweep drops for its limits, before it is dropped. */
  onExpire(listener: (session: Session) => void): void {
    this.#expireListener = listener;
  }

  /** Drops every session past its limits. */
  sweep(now = Date.now()): void {
    for (const s of this.#sessions.values()) {
      if (!this.expired(s, now) || s.busy !== 0) continue;
      this.#expireListener?.(s);
      this.remove(s);
    }
  }

  /** Stops the sweep and drops every session. */
  close(): void {
    clearInterval(this.#timer);
    for (const s of this.#sessions.values()) this.remove(s);
  }
}

function release(session: Session): void {
  const { party, lease, relationship } = session;
  session.party = undefined;
  session.lease = undefined;
  session.relationship = undefined;
  relationship?.discard().catch(() => undefined);
  session.outbox.clear();
  session.last = undefined;
  // close() makes a step in flight reject with SESSION_CLOSED, which its request reports.
  if (party !== undefined) party.close().catch(() => undefined);
  lease?.release();
}
