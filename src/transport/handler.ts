import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import { createParty } from '../protocol/party.js';
import { parseReveal, type Reveal } from '../protocol/reveal.js';
import { decodeFrame, joinFrames, MAX_FRAME_BYTES, parseFrameHeader } from '../wire/frame.js';
import { decodeHandshake } from '../wire/messages.js';
import {
  FRAMES_MEDIA_TYPE, PENDING_HEADER, readBody, SESSION_HEADER, sendError, sendJson,
} from './http-util.js';
import { createResponderSets, type KeyRotation } from './key-rotation.js';
import { DailyQuota } from './quota.js';
import { writeSessionResult, type MatchedRow, type SessionResult } from './results.js';
import { SessionStore, type Session } from './session-store.js';
import type { TokenEntry, TokenTable } from './tokens.js';

/**
 * Options of {@link createPsiHandler}. Only `items` is required; every bound has
 * a default suited to one platform box.
 *
 * @example
 * ```ts
 * const opts: PsiServiceOptions = { items: emails, tokens, outDir: 'results', itemsPerDay: 5_000_000 };
 * ```
 */
export interface PsiServiceOptions {
  /** The platform's own items (normalised identifiers). */
  items: readonly (string | Uint8Array)[];
  /** Row of each item in the platform's input, for result files; default line `i + 1` and the item itself. */
  rows?: readonly MatchedRow[];
  /** What the service learns; default `'intersection'`. */
  learn?: Reveal;
  /** What clients learn; default `'size'`. */
  peerLearns?: Reveal;
  /** Accepted bearer tokens; without them the service is open to anyone who reaches it. */
  tokens?: TokenTable;
  /** Items per token per UTC day when its entry sets none; default unlimited. */
  itemsPerDay?: number;
  /** Most distinct items a client may bring to one session; default 10,000,000. */
  maxItems?: number;
  /** Sessions in progress at once; default 16. */
  maxSessions?: number;
  /** Drop a session idle this long; default 120 s. */
  idleTimeoutMs?: number;
  /** Drop a session this old; default 1 h. */
  sessionTtlMs?: number;
  /** Key lifetime; default `'session'` (a fresh key per session). */
  keyRotation?: KeyRotation;
  /** Directory receiving one result per finished session. */
  outDir?: string;
  /** Called with each finished session's result (after it is written to `outDir`). */
  onResult?: (result: SessionResult) => void | Promise<void>;
  /** Path prefix the handler is mounted under, e.g. `'/psi'`; default none. */
  basePath?: string;
  /** Target size of one response body; default 8 MiB (always at least one frame). */
  responseBytes?: number;
  backend?: BackendChoice;
  workers?: number;
  chunkItems?: number;
  /** Receives one line per session event and per internal error; default silent. */
  log?: (line: string) => void;
}

/**
 * A `node:http` request handler serving the responder side of PSI sessions
 * (the HTTP API is in docs/service.md), plus its lifecycle.
 *
 * @example
 * ```ts
 * const handler = createPsiHandler({ items });
 * http.createServer(handler).listen(8080);
 * // on shutdown:
 * await handler.close();
 * ```
 */
export interface PsiHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Sessions in progress. */
  readonly sessions: number;
  /** Refuses new sessions, drops live ones and zeroises every key. */
  close(): Promise<void>;
}

const ANONYMOUS: TokenEntry = { id: 'anonymous' };
const SESSION_PATH = /^\/v1\/sessions\/([0-9a-f]{32})(\/frames)?$/;

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new PsiError('OPTIONS_INVALID', `${what} must be positive; got ${value}`);
  return value;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function digestOf(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Creates the service's request handler. Every refusal is a 4xx/5xx JSON
 * `{ code, message }` that ends at most the offending session; the handler
 * never throws.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const handler = createPsiHandler({ items: ['ann@example.com'], tokens: await loadTokensFile('tokens') });
 * createServer(handler).listen(8443, '127.0.0.1');
 * ```
 */
export function createPsiHandler(opts: PsiServiceOptions): PsiHandler {
  const learn = parseReveal(opts.learn ?? 'intersection', 'learn');
  const peerLearns = parseReveal(opts.peerLearns ?? 'size', 'peerLearns');
  const items = opts.items;
  if (!Array.isArray(items)) throw new PsiError('ITEMS_INVALID', 'items must be an array');
  if (opts.rows !== undefined && opts.rows.length !== items.length) {
    throw new PsiError('OPTIONS_INVALID', `rows has ${opts.rows.length} entries for ${items.length} items`);
  }
  const maxItems = positive(opts.maxItems, 10_000_000, 'maxItems');
  const itemsPerDay = positive(opts.itemsPerDay, Number.POSITIVE_INFINITY, 'itemsPerDay');
  const responseBytes = positive(opts.responseBytes, 8 << 20, 'responseBytes');
  const basePath = (opts.basePath ?? '').replace(/\/+$/, '');
  const log = opts.log ?? (() => undefined);
  const store = new SessionStore({
    maxSessions: positive(opts.maxSessions, 16, 'maxSessions'),
    idleTimeoutMs: positive(opts.idleTimeoutMs, 120_000, 'idleTimeoutMs'),
    sessionTtlMs: positive(opts.sessionTtlMs, 3_600_000, 'sessionTtlMs'),
  });
  const sets = createResponderSets(items, opts.keyRotation ?? 'session', { backend: opts.backend, workers: opts.workers });
  const quota = new DailyQuota();
  let closing = false;

  const rowOf = (i: number): MatchedRow => {
    const given = opts.rows?.[i];
    if (given !== undefined) return given;
    const item = items[i]!;
    return { line: i + 1, value: typeof item === 'string' ? item : hex(item) };
  };

  /** Runs `fn` alone on the session, and treats a session past its limits as gone. */
  const withSession = async <T>(session: Session, fn: () => Promise<T>): Promise<T> => {
    session.busy++;
    const run = session.lock.then(async () => {
      if (store.get(session.id) !== session || store.expired(session)) {
        store.remove(session);
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
  };

  const acknowledge = (session: Session, url: URL) => {
    const ack = Number(url.searchParams.get('ack'));
    if (!Number.isSafeInteger(ack) || ack <= session.outboxStart) return;
    const drop = Math.min(ack - session.outboxStart, session.outbox.length);
    session.outbox.splice(0, drop);
    session.outboxStart += drop;
  };

  const nextBatch = (session: Session): Uint8Array[] => {
    const frames: Uint8Array[] = [];
    let bytes = 0;
    for (const f of session.outbox) {
      if (frames.length > 0 && bytes + f.length > responseBytes) break;
      frames.push(f);
      bytes += f.length;
    }
    return frames;
  };

  const sendFrames = (res: ServerResponse, status: number, session: Session, frames: Uint8Array[]) => {
    const last = frames.at(-1);
    const after = last === undefined ? session.outboxStart : parseFrameHeader(last).seq + 1;
    const pending = Math.max(0, session.outboxStart + session.outbox.length - Math.max(after, session.outboxStart));
    const body = joinFrames(frames);
    res.writeHead(status, {
      'content-type': FRAMES_MEDIA_TYPE,
      'content-length': body.length,
      'cache-control': 'no-store',
      [SESSION_HEADER]: session.id,
      [PENDING_HEADER]: String(pending),
    });
    res.end(body);
  };

  /** Feeds one frame to the session's party, records the answer, and finishes the session when done. */
  const feed = async (session: Session, body: Uint8Array, seq: number): Promise<Uint8Array[]> => {
    const party = session.party!;
    let out: Uint8Array[];
    try {
      out = await party.step(body);
    } catch (e) {
      store.remove(session);
      throw e;
    }
    session.outbox.push(...out);
    if (party.done && session.state === 'open') await finish(session);
    const frames = nextBatch(session);
    session.last = { seq, digest: digestOf(body), frames };
    return frames;
  };

  const finish = async (session: Session) => {
    const party = session.party!;
    const outcome = party.result();
    session.state = 'done';
    session.party = undefined;
    await party.close();
    session.lease?.release();
    session.lease = undefined;
    const finishedAt = Date.now();
    const result: SessionResult = {
      summary: {
        sessionId: session.id, tokenId: session.tokenId, learn, peerLearns, items: items.length,
        peerSize: outcome.peerSize,
        ...(outcome.size === undefined ? {} : { size: outcome.size }),
        ...(outcome.matches === undefined ? {} : { matched: outcome.matches.length }),
        startedAt: new Date(session.startedAt).toISOString(),
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs: finishedAt - session.startedAt,
      },
      ...(outcome.matches === undefined ? {} : { rows: outcome.matches.map(rowOf) }),
    };
    try {
      if (opts.outDir !== undefined) await writeSessionResult(opts.outDir, result);
      if (opts.onResult !== undefined) await opts.onResult(result);
    } catch (e) {
      store.remove(session);
      throw e instanceof PsiError ? e : new PsiError('RESULT_WRITE_FAILED', `result handler failed: ${(e as Error).message}`, { cause: e });
    }
    const { peerSize, size, matched } = result.summary;
    log(`session ${session.id} (${session.tokenId}) done: peerSize ${peerSize}${size === undefined ? '' : `, size ${size}`}${matched === undefined ? '' : `, ${matched} rows`}`);
  };

  const readFrame = async (req: IncomingMessage): Promise<Uint8Array> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== FRAMES_MEDIA_TYPE) {
      throw new PsiError('UNSUPPORTED_MEDIA_TYPE', `frames must be sent as ${FRAMES_MEDIA_TYPE}, got ${JSON.stringify(type)}`);
    }
    const body = await readBody(req, MAX_FRAME_BYTES);
    parseFrameHeader(body);
    return body;
  };

  const create = async (req: IncomingMessage, res: ServerResponse, token: TokenEntry) => {
    const body = await readFrame(req);
    const frame = decodeFrame(body);
    if (frame.type !== 'hello' || frame.seq !== 0) {
      throw new PsiError('UNEXPECTED_FRAME', `a session starts with hello frame 0, got ${frame.type} frame ${frame.seq}`);
    }
    const id = hex(frame.sessionId);
    const existing = store.get(id);
    if (existing !== undefined) {
      // The client retrying its hello after a lost answer gets that answer again.
      const cached = await withSession(existing, async () => {
        if (existing.tokenId !== token.id || existing.last?.seq !== 0 || existing.last.digest !== digestOf(body)) {
          throw new PsiError('SESSION_EXISTS', `session ${id} already exists`);
        }
        return existing.last.frames;
      });
      sendFrames(res, 201, existing, cached);
      return;
    }
    if (closing) throw new PsiError('SERVICE_CLOSING', 'the service is shutting down');
    if (store.full) throw new PsiError('SERVICE_BUSY', 'too many sessions in progress; retry later');
    const { itemCount } = decodeHandshake(frame.payload);
    if (itemCount > maxItems) {
      throw new PsiError('TOO_MANY_ITEMS', `the client declares ${itemCount} items; this service accepts at most ${maxItems}`);
    }
    const limit = token.itemsPerDay ?? itemsPerDay;
    if (!quota.charge(token.id, itemCount, limit)) {
      const left = Math.max(0, limit - quota.used(token.id));
      throw new PsiError('QUOTA_EXCEEDED', `${itemCount} items exceed the ${left} left today for ${token.id}`);
    }
    const session = store.add(id, token.id);
    const frames = await withSession(session, async () => {
      try {
        session.lease = await sets.acquire();
        session.party = createParty({
          role: 'responder', ...session.lease.source, learn, peerLearns, maxPeerItems: maxItems,
          backend: opts.backend, workers: opts.workers, chunkItems: opts.chunkItems,
        });
        log(`session ${id} (${token.id}) started: ${itemCount} client items`);
        return await feed(session, body, 0);
      } catch (e) {
        // Refused at the handshake: none of the client's items was blinded.
        quota.refund(token.id, itemCount);
        store.remove(session);
        throw e;
      }
    });
    sendFrames(res, 201, session, frames);
  };

  const frame = async (req: IncomingMessage, res: ServerResponse, session: Session, url: URL) => {
    const body = await readFrame(req);
    const header = parseFrameHeader(body);
    if (hex(header.sessionId) !== session.id) {
      throw new PsiError('SESSION_MISMATCH', 'the frame belongs to another session than the URL names');
    }
    const frames = await withSession(session, async () => {
      acknowledge(session, url);
      const last = session.last;
      if (last !== undefined && last.seq === header.seq && last.digest === digestOf(body)) return last.frames;
      if (session.state === 'done') throw new PsiError('SESSION_DONE', `session ${session.id} has already completed`);
      return feed(session, body, header.seq);
    });
    sendFrames(res, 200, session, frames);
  };

  const pull = async (res: ServerResponse, session: Session, url: URL) => {
    const frames = await withSession(session, async () => {
      acknowledge(session, url);
      return nextBatch(session);
    });
    sendFrames(res, 200, session, frames);
  };

  const status = (res: ServerResponse, session: Session) => {
    sendJson(res, 200, {
      sessionId: session.id,
      state: session.state,
      startedAt: new Date(session.startedAt).toISOString(),
      lastSeen: new Date(session.lastSeen).toISOString(),
      framesReceived: session.last === undefined ? 0 : session.last.seq + 1,
      framesPending: session.outbox.length,
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://service');
    if (!url.pathname.startsWith(`${basePath}/`)) throw new PsiError('NOT_FOUND', `no route ${url.pathname}`);
    const path = url.pathname.slice(basePath.length);
    const method = req.method ?? 'GET';
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) {
        throw new PsiError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${methods.join(', ')}`);
      }
    };
    if (path === '/healthz') {
      allow(['GET', 'HEAD']);
      sendJson(res, closing ? 503 : 200, { status: closing ? 'closing' : 'ok' });
      return;
    }
    const token = opts.tokens === undefined ? ANONYMOUS : opts.tokens.authenticate(req.headers.authorization);
    if (token === undefined) throw new PsiError('UNAUTHORIZED', 'a valid bearer token is required');
    if (path === '/v1/sessions') {
      allow(['POST']);
      await create(req, res, token);
      return;
    }
    const match = SESSION_PATH.exec(path);
    if (match === null) throw new PsiError('NOT_FOUND', `no route ${path}`);
    const session = store.get(match[1]!);
    // Another token's session is reported as absent, so ids cannot be probed.
    if (session === undefined || session.tokenId !== token.id || store.expired(session)) {
      throw new PsiError('SESSION_NOT_FOUND', `no session ${match[1]} (never started, finished and collected, or expired)`);
    }
    if (match[2] !== undefined) {
      allow(['POST', 'GET']);
      await (method === 'POST' ? frame(req, res, session, url) : pull(res, session, url));
    } else {
      allow(['GET', 'DELETE']);
      if (method === 'GET') status(res, session);
      else {
        store.remove(session);
        log(`session ${session.id} (${session.tokenId}) aborted by the client`);
        res.writeHead(204).end();
      }
    }
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((e: unknown) => {
      const error = e instanceof PsiError ? e : new PsiError('INTERNAL', 'internal error');
      log(e instanceof PsiError ? `refused ${req.method} ${req.url}: ${e.code}: ${e.message}` : `internal error: ${(e as Error)?.stack ?? String(e)}`);
      const headers: Record<string, string> = {};
      if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer';
      if (error.code === 'SERVICE_BUSY') headers['retry-after'] = '1';
      // Node discards a small unread body after the answer, keeping the connection;
      // a body of unknown or refused length is cut off with the connection instead.
      const declared = Number(req.headers['content-length'] ?? Number.NaN);
      if (!req.complete && !(declared <= MAX_FRAME_BYTES)) headers.connection = 'close';
      sendError(res, error, headers);
    });
  }) as PsiHandler;
  Object.defineProperty(handler, 'sessions', { get: () => store.open });
  handler.close = async () => {
    closing = true;
    store.close();
    sets.close();
  };
  return handler;
}
