import type { Party } from '../protocol/types.js';
import type { ResponderLease } from './key-rotation.js';

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
  party?: Party;
  lease?: ResponderLease;
  /** Seq, digest and answer of the last frame the party took. */
  last?: { seq: number; digest: string; frames: Uint8Array[] };
  /** Produced frames not yet acknowledged; `outbox[0]` has seq `outboxStart`. */
  outbox: Uint8Array[];
  outboxStart: number;
}

/**
 * Options of {@link SessionStore}.
 *
 * @example
 * ```ts
 * const limits: SessionLimits = { maxSessions: 16, idleTimeoutMs: 120_000, sessionTtlMs: 3_600_000 };
 * ```
 */
export interface SessionLimits {
  /** Sessions in progress at once; finished ones waiting for pickup do not count. */
  maxSessions: number;
  /** A session with no request for this long is dropped. */
  idleTimeoutMs: number;
  /** A session older than this is dropped, busy or not at its next request. */
  sessionTtlMs: number;
}

/**
 * The live sessions of one service, with their limits enforced by a periodic
 * sweep. Removing a session closes its party, zeroising the key.
 *
 * @example
 * ```ts
 * const store = new SessionStore({ maxSessions: 16, idleTimeoutMs: 60_000, sessionTtlMs: 600_000 });
 * ```
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #limits: SessionLimits;
  readonly #timer: NodeJS.Timeout;

  constructor(limits: SessionLimits) {
    this.#limits = limits;
    const every = Math.min(5_000, Math.max(20, Math.min(limits.idleTimeoutMs, limits.sessionTtlMs) / 4));
    this.#timer = setInterval(() => this.sweep(), every).unref();
  }

  /** Sessions in progress. */
  get open(): number {
    let n = 0;
    for (const s of this.#sessions.values()) if (s.state === 'open') n++;
    return n;
  }

  /** Whether another session may start now. */
  get full(): boolean {
    return this.open >= this.#limits.maxSessions;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** Registers a new session under its id, at once, so concurrent creations count. */
  add(id: string, tokenId: string, now = Date.now()): Session {
    const session: Session = {
      id, tokenId, startedAt: now, lastSeen: now, state: 'open', busy: 0,
      lock: Promise.resolve(), outbox: [], outboxStart: 0,
    };
    this.#sessions.set(id, session);
    return session;
  }

  /** Drops a session and releases its party and key; idempotent. */
  remove(session: Session): void {
    if (this.#sessions.get(session.id) === session) this.#sessions.delete(session.id);
    release(session);
  }

  /** Whether a session outlived its limits; such a session is treated as gone. */
  expired(session: Session, now = Date.now()): boolean {
    const { idleTimeoutMs, sessionTtlMs } = this.#limits;
    if (now - session.lastSeen > idleTimeoutMs && session.busy === 0) return true;
    return session.state === 'open' && now - session.startedAt > sessionTtlMs;
  }

  /** Drops every session past its limits. */
  sweep(now = Date.now()): void {
    for (const s of this.#sessions.values()) if (this.expired(s, now) && s.busy === 0) this.remove(s);
  }

  /** Stops the sweep and drops every session. */
  close(): void {
    clearInterval(this.#timer);
    for (const s of this.#sessions.values()) this.remove(s);
  }
}

function release(session: Session): void {
  const { party, lease } = session;
  session.party = undefined;
  session.lease = undefined;
  session.outbox = [];
  session.last = undefined;
  if (party !== undefined) void party.close().catch(() => undefined);
  lease?.release();
}
