import type { IncomingMessage, ServerResponse } from 'node:http';
import { bytesToHex } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';
import type { Exchange, SessionService } from '../service/engine.js';
import type { ServiceObserver } from '../service/observer.js';
import type { TokenEntry, TokenTable } from '../service/tokens.js';
import { decodeFrame, joinFrames, MAX_FRAME_BYTES } from '../wire/frame.js';
import { applyCors, corsPolicy } from './cors.js';
import { readBody, sendError, sendJson } from './http-util.js';
import { loadStaticUi } from './static-ui.js';
import { loggablePath } from './log-path.js';
import {
  AUDIENCE_HEADER,
  AUDIENCE_MODE_HEADER,
  FRAMES_MEDIA_TYPE,
  PENDING_HEADER,
  RELATIONSHIP_HEADER,
  SESSION_HEADER,
} from './protocol-http.js';
import { decodeAudienceName, parseAudienceMode, type AudienceTarget } from '../wire/audience.js';
import { claimOrForward, toHolder, type SessionRouting } from './replicas.js';

/** The `blindjoin-relationship: <id>:<fingerprint>` header, when the client sent one; the service checks it. */
function relationshipOf(header: string | string[] | undefined): { id: string; fingerprint: string } | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  const at = value.lastIndexOf(':');
  return { id: value.slice(0, at), fingerprint: value.slice(at + 1) };
}

/** The session's audience from the `blindjoin-audience` and `blindjoin-audience-mode` headers, when named. */
function audienceOf(req: IncomingMessage): AudienceTarget | undefined {
  const one = (h: string | string[] | undefined) => (Array.isArray(h) ? h.join(',') : h);
  const name = one(req.headers[AUDIENCE_HEADER]);
  const mode = one(req.headers[AUDIENCE_MODE_HEADER]);
  if (name === undefined) {
    if (mode !== undefined) throw new PsiError('AUDIENCE_NAME_INVALID', `${AUDIENCE_MODE_HEADER} needs ${AUDIENCE_HEADER}`);
    return undefined;
  }
  return { name: decodeAudienceName(name), mode: parseAudienceMode(mode ?? 'replace') };
}

/**
 * Options of {@link createPsiHandler}: who may call the service, where the
 * handler is mounted, and what it serves beside the API.
 *
 * @example
 * ```ts
 * const opts: PsiHandlerOptions = { tokens, basePath: '/psi', corsOrigins: ['https://ads.example'] };
 * ```
 */
export interface PsiHandlerOptions {
  /** Accepted bearer tokens; without them the service is open to anyone who reaches it. */
  tokens?: TokenTable;
  /** Path prefix the handler is mounted under, e.g. `'/psi'`; default none. */
  basePath?: string;
  /**
   * Serves the advertiser's page at the base path (`/`, or `/psi/`): `true`
   * for the one built into the package (`dist/ui/`), a string for another
   * directory of built files. Read once at start; `UI_MISSING` if absent.
   */
  ui?: boolean | string;
  /**
   * Origins (exact, e.g. `'https://ads.example'`) whose pages may call the
   * service from a browser; every other origin gets no CORS header. Default none.
   */
  corsOrigins?: readonly string[];
  /**
   * The session registry of replicas sharing one database (`Platform.registry`):
   * requests for a session another replica holds are forwarded to it. The
   * service must release its ended sessions there (`onSessionRemoved`), as
   * `openPlatform` arranges for its registry.
   */
  routing?: SessionRouting;
  /** What `GET /readyz` checks besides the service not closing (e.g. `Platform.ready`); throws when not ready. */
  readiness?: () => Promise<void>;
  /** Receives one line per refused request; default silent. */
  log?: (line: string) => void;
  /** Hears every refused request (`refused`), e.g. the service's metrics. */
  observer?: ServiceObserver;
}

/**
 * A `node:http` request handler serving the responder side of PSI sessions
 * (the HTTP API is in docs/service.md) from one {@link SessionService}.
 *
 * @example
 * ```ts
 * const handler = createPsiHandler(platform.service);
 * http.createServer(handler).listen(8080);
 * handler.sessions; // sessions in progress
 * ```
 */
export interface PsiHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Sessions in progress. */
  readonly sessions: number;
  /** The engine behind the routes. */
  readonly service: SessionService;
}

const ANONYMOUS: TokenEntry = { id: 'anonymous' };
const SESSION_PATH = /^\/v1\/sessions\/([0-9a-f]{32})(\/frames)?$/;
const AUDIENCE_PATH = /^\/v1\/audiences\/([^/]+)$/;

/** The `ack` query parameter: the client holds every service frame below it. */
function ackOf(url: URL): number | undefined {
  const ack = url.searchParams.get('ack');
  return ack === null ? undefined : Number(ack);
}

async function readFrameBody(req: IncomingMessage) {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FRAMES_MEDIA_TYPE) {
    throw new PsiError('UNSUPPORTED_MEDIA_TYPE', `frames must be sent as ${FRAMES_MEDIA_TYPE}, got ${JSON.stringify(type)}`);
  }
  const body = await readBody(req, MAX_FRAME_BYTES);
  return { body, frame: decodeFrame(body) };
}

function sendExchange(res: ServerResponse, status: number, exchange: Exchange): void {
  const body = joinFrames(exchange.frames);
  res.writeHead(status, {
    'content-type': FRAMES_MEDIA_TYPE,
    'content-length': body.length,
    'cache-control': 'no-store',
    [SESSION_HEADER]: exchange.sessionId,
    [PENDING_HEADER]: String(exchange.pending),
  });
  res.end(body);
}

/**
 * Creates the service's request handler: an HTTP router over a
 * {@link SessionService} (built by `openPlatform`, or by hand), which it never
 * closes: whoever built the service closes it. Every refusal is a JSON
 * `{ code, message }` with the status of its code that ends at most the
 * offending session; the handler never throws.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const platform = await openPlatform({ items: ['ann@example.com'], outDir: 'results' });
 * const handler = createPsiHandler(platform.service, { tokens: await loadTokensFile('tokens') });
 * createServer(handler).listen(8443, '127.0.0.1');
 * ```
 */
export function createPsiHandler(service: SessionService, opts: PsiHandlerOptions = {}): PsiHandler {
  const { tokens, routing } = opts;
  // Checked before the handler exists, so a bad option leaves nothing to undo.
  const cors = corsPolicy(opts.corsOrigins ?? []);
  const ui = opts.ui === undefined || opts.ui === false ? undefined : loadStaticUi(opts.ui);
  const basePath = (opts.basePath ?? '').replace(/\/+$/, '');
  const log = opts.log ?? (() => undefined);

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    if (applyCors(cors, req, res)) return;
    const url = new URL(req.url ?? '/', 'http://service');
    if (ui !== undefined && basePath !== '' && url.pathname === basePath) {
      // The page's relative URLs (app.js, v1/terms) resolve only under the trailing slash.
      res.writeHead(308, { location: `${basePath}/`, 'content-length': 0 }).end();
      return;
    }
    if (!url.pathname.startsWith(`${basePath}/`)) throw new PsiError('NOT_FOUND', `no route ${loggablePath(url.pathname)}`);
    const path = url.pathname.slice(basePath.length);
    if (ui?.serve(req, res, path)) return;
    const method = req.method ?? 'GET';
    const allow = (...methods: string[]) => {
      if (!methods.includes(method))
        throw new PsiError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${methods.join(', ')}`);
    };
    if (path === '/healthz') {
      allow('GET', 'HEAD');
      sendJson(res, service.closing ? 503 : 200, { status: service.closing ? 'closing' : 'ok' });
      return;
    }
    if (path === '/readyz') {
      allow('GET', 'HEAD');
      const problem = service.closing
        ? 'closing'
        : await opts.readiness?.().then(
            () => undefined,
            (e: unknown) => (e instanceof PsiError ? e.code : 'INTERNAL'),
          );
      sendJson(
        res,
        problem === undefined ? 200 : 503,
        problem === undefined ? { status: 'ready' } : { status: 'unready', reason: problem },
      );
      return;
    }
    const authenticate = () => {
      const token = tokens === undefined ? ANONYMOUS : tokens.authenticate(req.headers.authorization);
      if (token === undefined) throw new PsiError('UNAUTHORIZED', 'a valid bearer token is required');
      return token;
    };
    if (path === '/v1/terms') {
      allow('GET', 'HEAD');
      // With a token (or on an open service) the caller also sees where its budget stands.
      const holder = tokens === undefined || req.headers.authorization !== undefined ? authenticate() : undefined;
      const budget = holder === undefined ? undefined : await service.budgetOf(holder);
      sendJson(res, 200, { ...service.terms, tokenRequired: tokens !== undefined, ...(budget === undefined ? {} : { budget }) });
      return;
    }
    const token = authenticate();
    if (path === '/v1/audiences') {
      allow('GET', 'HEAD');
      sendJson(res, 200, { audiences: await service.audiences.list(token.id) });
      return;
    }
    const named = AUDIENCE_PATH.exec(path);
    if (named !== null) {
      allow('GET', 'HEAD', 'DELETE');
      const name = decodeAudienceName(named[1]!);
      if (method === 'DELETE') {
        await service.audiences.delete(token.id, name);
        res.writeHead(204).end();
      } else sendJson(res, 200, await service.audiences.show(token.id, name));
      return;
    }
    if (path === '/v1/sessions') {
      allow('POST');
      // Checked before the body is read: a bad name costs nothing.
      const audience = audienceOf(req);
      const { body, frame } = await readFrameBody(req);
      const id = bytesToHex(frame.sessionId);
      if (routing !== undefined && (await claimOrForward(routing, service, req, res, id, token.id, body))) return;
      try {
        sendExchange(res, 201, await service.open(token, frame, body, relationshipOf(req.headers[RELATIONSHIP_HEADER]), audience));
      } catch (e) {
        if (routing !== undefined && !service.holds(id)) routing.release(id);
        throw e;
      }
      return;
    }
    const match = SESSION_PATH.exec(path);
    if (match === null) throw new PsiError('NOT_FOUND', `no route ${loggablePath(path)}`);
    const id = match[1]!;
    if (routing !== undefined && (await toHolder(routing, service, req, res, id, token.id))) return;
    if (match[2] !== undefined) {
      allow('POST', 'GET');
      if (method === 'GET') {
        sendExchange(res, 200, await service.pull(token, id, ackOf(url)));
      } else {
        const { body, frame } = await readFrameBody(req);
        sendExchange(res, 200, await service.deliver(token, id, frame, body, ackOf(url)));
      }
      return;
    }
    allow('GET', 'DELETE');
    if (method === 'GET') sendJson(res, 200, await service.status(token, id));
    else {
      service.abort(token, id);
      res.writeHead(204).end();
    }
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((e: unknown) => {
      const error = e instanceof PsiError ? e : new PsiError('INTERNAL', 'internal error');
      log(
        e instanceof PsiError
          ? `refused ${req.method} ${loggablePath(req.url)}: ${e.code}: ${e.message}`
          : `internal error: ${(e as Error)?.stack ?? String(e)}`,
      );
      opts.observer?.refused?.({ code: error.code, opening: req.method === 'POST' && loggablePath(req.url) === `${basePath}/v1/sessions` });
      const headers: Record<string, string> = {};
      if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer';
      if (error.code === 'SERVICE_BUSY' || error.code === 'TOKEN_BUSY') headers['retry-after'] = '1';
      // Node discards a small unread body after the answer, keeping the connection;
      // a body of unknown or refused length is cut off with the connection instead.
      const declared = Number(req.headers['content-length'] ?? Number.NaN);
      if (!req.complete && !(declared <= MAX_FRAME_BYTES)) headers.connection = 'close';
      sendError(res, error, headers);
    });
  }) as PsiHandler;
  Object.defineProperty(handler, 'sessions', { get: () => service.sessions });
  Object.defineProperty(handler, 'service', { value: service });
  return handler;
}
