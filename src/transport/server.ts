import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PsiError } from '../errors.js';
import { openPlatform, type Platform, type PlatformOptions } from '../service/platform.js';
import { optionalIntegerIn } from '../validate.js';
import { corsPolicy } from './cors.js';
import { createPsiHandler, type PsiHandler, type PsiHandlerOptions } from './handler.js';
import { hostCheck } from './host-check.js';
import { httpUrl, listenOn, sendError } from './http-util.js';
import { loggablePath } from './log-path.js';

/**
 * Options of a PSI service over HTTP, but for where it listens: the platform's
 * ({@link openPlatform}) and its handler's ({@link createPsiHandler}).
 *
 * @example
 * ```ts
 * const opts: PsiServiceOptions = { items: emails, tokens, outDir: 'results', itemsPerDay: 5_000_000 };
 * ```
 */
export interface PsiServiceOptions extends PlatformOptions, PsiHandlerOptions {}

/**
 * Options of {@link servePlatform}: the handler's, plus where and how to listen.
 *
 * @example
 * ```ts
 * const opts: PsiListenOptions = { port: 8080, host: '127.0.0.1', tokens };
 * ```
 */
export interface PsiListenOptions extends PsiHandlerOptions {
  /** TCP port; `0` (default) picks a free one, see {@link PsiServer.port}. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. Put TLS termination in front of any other. */
  host?: string;
  /** Open connections at once; default 512. Further ones are closed at once. */
  maxConnections?: number;
  /** Open connections at once from one address; default 32, so slow clients of one address cannot hold every socket. */
  maxConnectionsPerAddress?: number;
  /** With a platform on a database: the URL other replicas reach this one at (default: {@link PsiServer.url}). */
  advertiseUrl?: string;
  /**
   * Names clients may send in the `Host` header (any port). Default: bound to
   * loopback, only loopback names with the bound port (against DNS rebinding);
   * bound elsewhere, any. Others are refused with `HOST_INVALID` (421).
   */
  allowedHosts?: readonly string[];
}

/**
 * Options of {@link startPsiServer}: the service's, plus where to listen.
 *
 * @example
 * ```ts
 * const opts: PsiServerOptions = { items, port: 8080, host: '127.0.0.1' };
 * ```
 */
export interface PsiServerOptions extends PsiServiceOptions, PsiListenOptions {}

/** Caps the connections of one address: a new socket beyond the cap is destroyed before it is read. */
function limitPerAddress(server: Server, cap: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = (open.get(address) ?? 0) + 1;
    if (n > cap) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * A running standalone service.
 *
 * @example
 * ```ts
 * const service = await startPsiServer({ items });
 * console.log(service.url); // http://127.0.0.1:49152
 * await service.close();
 * ```
 */
export interface PsiServer {
  /** Base URL clients use, e.g. `http://127.0.0.1:49152`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  readonly handler: PsiHandler;
  /**
   * Refuses new sessions (`/readyz` answers 503) and waits up to `timeoutMs`
   * for the sessions in progress to finish; resolves whether all did. Then call {@link close}.
   */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops accepting, drops sessions, zeroises keys and closes connections. */
  close(): Promise<void>;
}

/**
 * Checks the listening options ({@link PsiListenOptions}) that need no socket:
 * the connection caps and the CORS origins. Call it before opening a platform,
 * so that a bad option refuses before any state or results directory is touched.
 *
 * @example
 * ```ts
 * checkListenOptions({ corsOrigins: ['https://*.example'] }); // throws OPTIONS_INVALID
 * ```
 */
export function checkListenOptions(opts: PsiListenOptions): { maxConnections: number; perAddress: number } {
  const maxConnections = optionalIntegerIn(opts.maxConnections, 'maxConnections', 1, 1_000_000, 512);
  const perAddress = optionalIntegerIn(opts.maxConnectionsPerAddress, 'maxConnectionsPerAddress', 1, maxConnections, 32);
  corsPolicy(opts.corsOrigins ?? []);
  return { maxConnections, perAddress };
}

/**
 * Serves a platform ({@link openPlatform}) on its own `node:http` server, and
 * takes it over: closing the server closes the platform, and so does a failure
 * to start. With a database, registers this replica at `advertiseUrl` once listening.
 *
 * @example
 * ```ts
 * const server = await servePlatform(await openPlatform({ storeDir: 'store', stateDir: 'state' }), { port: 8080, tokens });
 * await server.close();
 * ```
 */
export async function servePlatform(platform: Platform, opts: PsiListenOptions = {}): Promise<PsiServer> {
  const host = opts.host ?? '127.0.0.1';
  let handler: PsiHandler;
  let limits: { maxConnections: number; perAddress: number };
  try {
    limits = checkListenOptions(opts);
    handler = createPsiHandler(platform.service, {
      ...opts,
      ...(platform.registry === undefined ? {} : { routing: platform.registry }),
      readiness: async () => {
        await opts.readiness?.();
        await platform.ready();
      },
    });
  } catch (e) {
    await platform.close();
    throw e;
  }
  // A frame is at most 1 MiB: two minutes is ample for its body, and a slow client is cut off rather than held.
  // Set once the port is known; no request arrives before.
  let checkHost: (header: string | undefined) => void = () => undefined;
  const guarded = (req: IncomingMessage, res: ServerResponse) => {
    try {
      checkHost(req.headers.host);
    } catch (e) {
      opts.log?.(`refused ${req.method} ${loggablePath(req.url)}: ${(e as PsiError).code}`);
      sendError(res, e as PsiError, { connection: 'close' });
      return;
    }
    handler(req, res);
  };
  const server = createServer({ requestTimeout: 120_000, headersTimeout: 20_000, keepAliveTimeout: 5_000 }, guarded);
  server.maxConnections = limits.maxConnections;
  limitPerAddress(server, limits.perAddress);
  let port: number;
  try {
    port = await listenOn(server, opts.port ?? 0, host);
  } catch (e) {
    await platform.close();
    throw new PsiError('LISTEN_FAILED', `cannot listen on ${host}:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
  }
  checkHost = hostCheck({ bind: host, port, ...(opts.allowedHosts === undefined ? {} : { allowed: opts.allowedHosts }) });
  const url = httpUrl(host, port);
  try {
    await platform.registry?.start(opts.advertiseUrl ?? url);
  } catch (e) {
    await platform.close();
    server.close();
    throw e;
  }
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    server,
    handler,
    drain: (timeoutMs) => platform.service.drain(timeoutMs),
    close() {
      closed ??= (async () => {
        await platform.close();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        server.closeAllConnections();
        await done;
      })();
      return closed;
    },
  };
}

/**
 * Starts the service on its own `node:http` server: {@link openPlatform}, then
 * {@link servePlatform}.
 *
 * @example
 * ```ts
 * const service = await startPsiServer({ items: ['ann@example.com'], port: 0, outDir: 'results' });
 * ```
 */
export async function startPsiServer(opts: PsiServerOptions): Promise<PsiServer> {
  // Refused before the state directory or the results directory is touched.
  checkListenOptions(opts);
  const { routing, onSessionRemoved } = opts;
  // A registry of the caller's: the service releases its ended sessions there (a database's own replaces it).
  const releasing =
    routing === undefined || opts.database !== undefined
      ? {}
      : {
          onSessionRemoved: (id: string) => {
            routing.release(id);
            onSessionRemoved?.(id);
          },
        };
  return servePlatform(await openPlatform({ ...opts, ...releasing }), opts);
}
