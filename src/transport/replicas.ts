/**
 * Replicas of one service behind a load balancer: any replica takes any
 * request. A request for a session another replica holds (the shared registry
 * names it) is forwarded there, once; if the holder cannot be reached it died
 * with its sessions, and the client is told `SESSION_REPLICA_GONE` (410).
 * docs/deploy-postgres.md.
 * @module
 */
import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { PsiError } from '../errors.js';
import type { SessionService } from '../service/engine.js';

/**
 * Marks a request one replica forwarded to another; such a request is answered
 * where it lands, never forwarded again.
 *
 * @example
 * ```ts
 * req.headers[FORWARDED_HEADER]; // '1' on a forwarded request
 * ```
 */
export const FORWARDED_HEADER = 'blindjoin-forwarded';

/**
 * Where the sessions of a fleet of replicas live (a `SessionRegistry` on PostgreSQL).
 *
 * @example
 * ```ts
 * const routing: SessionRouting = state.registry;
 * createPsiHandler(platform.service, { routing });
 * ```
 */
export interface SessionRouting {
  /** Claims a new session for this replica; resolves another replica that holds it already, if any. */
  claim(sessionId: string, tokenId: string): Promise<{ url: string; tokenId: string } | undefined>;
  /** The other replica holding a session, if any. */
  locate(sessionId: string): Promise<{ url: string; tokenId: string } | undefined>;
  /** Drops this replica's entry of a session that ended (or never started) here. */
  release(sessionId: string): void;
  /** Drops the session's entry of a holder that is gone. */
  forget(sessionId: string, holder: { url: string; tokenId: string }): Promise<void>;
}

/** Headers that belong to one connection, not to the request or answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * Sends `req` (with `body` when it was read already, else its stream) to the
 * replica at `holder` and relays the answer. Rejects with `SESSION_REPLICA_GONE`
 * when no answer starts: the holder is down, and its sessions with it.
 *
 * @example
 * ```ts
 * await forwardRequest('http://10.0.0.3:8080', req, res);
 * ```
 */
export function forwardRequest(holder: string, req: IncomingMessage, res: ServerResponse, body?: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...endToEnd(req.headers), [FORWARDED_HEADER]: '1' };
    if (body !== undefined) headers['content-length'] = String(body.length);
    // A fresh connection each time: a pooled one the holder closed while idle would read as the holder gone.
    const upstream = request(new URL(req.url ?? '/', holder), { method: req.method ?? 'GET', headers, agent: false, timeout: 300_000 });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', () => (res.destroy(), resolve()));
    });
    upstream.on('timeout', () => upstream.destroy(new Error('no answer in time')));
    upstream.on('error', (e) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
        return;
      }
      reject(
        new PsiError('SESSION_REPLICA_GONE', `the replica holding this session does not answer (${e.message}); start a fresh session`),
      );
    });
    if (body !== undefined) upstream.end(body);
    else req.pipe(upstream);
  });
}

/**
 * Hands a session's request to its holder when another replica holds it:
 * resolves true once forwarded (answered), false when this replica should
 * answer it (it holds the session, none does, or the request was forwarded to
 * it). Another token's session is answered here, as absent.
 *
 * @example
 * ```ts
 * if (await toHolder(routing, service, req, res, id, token.id)) return;
 * ```
 */
export async function toHolder(
  routing: SessionRouting,
  service: SessionService,
  req: IncomingMessage,
  res: ServerResponse,
  sessionId: string,
  tokenId: string,
): Promise<boolean> {
  if (req.headers[FORWARDED_HEADER] !== undefined || service.holds(sessionId)) return false;
  const holder = await routing.locate(sessionId);
  if (holder?.tokenId !== tokenId) return false;
  await forwardOrForget(routing, holder, sessionId, req, res);
  return true;
}

/**
 * Claims a new session named by a HELLO for this replica, or forwards the HELLO
 * (a client's retry that reached another replica) to its holder: resolves true
 * once forwarded. A forwarded HELLO is claimed too (its first attempt may have
 * been refused here meanwhile), never forwarded again. A session id another
 * token holds is `SESSION_EXISTS`, as on one replica.
 *
 * @example
 * ```ts
 * if (await claimOrForward(routing, service, req, res, id, token.id, body)) return;
 * ```
 */
export async function claimOrForward(
  routing: SessionRouting,
  service: SessionService,
  req: IncomingMessage,
  res: ServerResponse,
  sessionId: string,
  tokenId: string,
  body: Uint8Array,
): Promise<boolean> {
  if (service.holds(sessionId)) return false;
  const holder = await routing.claim(sessionId, tokenId);
  if (holder === undefined) return false;
  // A forwarded HELLO whose session this replica no longer holds, while another claimed it since: never a second hop.
  if (holder.tokenId !== tokenId || req.headers[FORWARDED_HEADER] !== undefined) {
    throw new PsiError('SESSION_EXISTS', `session ${sessionId} already exists`);
  }
  await forwardOrForget(routing, holder, sessionId, req, res, body);
  return true;
}

async function forwardOrForget(
  routing: SessionRouting,
  holder: { url: string; tokenId: string },
  sessionId: string,
  req: IncomingMessage,
  res: ServerResponse,
  body?: Uint8Array,
): Promise<void> {
  try {
    await forwardRequest(holder.url, req, res, body);
  } catch (e) {
    if (e instanceof PsiError && e.code === 'SESSION_REPLICA_GONE') await routing.forget(sessionId, holder);
    throw e;
  }
}
