import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PsiError } from '../errors.js';
import type { Epsilon } from '../disclosure/epsilon.js';
import { prepareOutDir } from '../service/result-files.js';
import { openServiceState } from '../service/state.js';
import { openPostgresState } from '../service/postgres/state.js';
import { postgresAudienceRecords } from '../service/postgres/audience-records.js';
import { fileAudienceRecords } from '../service/audiences/file-records.js';
import { RetainedAudiences } from '../service/audiences/store.js';
import { openStoreSets } from '../service/store-sets.js';
import { currentEpoch } from '../store/layout.js';
import { optionalIntegerIn } from '../validate.js';
import { corsPolicy } from './cors.js';
import { createPsiHandler, type PsiHandler, type PsiServiceOptions } from './handler.js';
import { hostCheck } from './host-check.js';
import { httpUrl, listenOn, sendError } from './http-util.js';
import { loggablePath } from './log-path.js';

/**
 * Options of {@link startPsiServer}: the service's, plus where to listen.
 *
 * @example
 * ```ts
 * const opts: PsiServerOptions = { items, port: 8080, host: '127.0.0.1' };
 * ```
 */
export interface PsiServerOptions extends PsiServiceOptions {
  /** TCP port; `0` (default) picks a free one, see {@link PsiServer.port}. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. Put TLS termination in front of any other. */
  host?: string;
  /** Open connections at once; default 512. Further ones are closed at once. */
  maxConnections?: number;
  /** Open connections at once from one address; default 32, so slow clients of one address cannot hold every socket. */
  maxConnectionsPerAddress?: number;
  /**
   * Directory of the state that must survive restarts: privacy budgets, daily
   * item counts, the noise key (see `openServiceState`). Without it they live in
   * memory and a restart forgets what each token has spent.
   */
  stateDir?: string;
  /**
   * Directory of a prepared store (`blindjoin prepare`) to serve instead of
   * `items`: opened and verified here (`STORE_*` errors), its current epoch
   * logged, rollovers followed at each new session.
   */
  storeDir?: string;
  /**
   * PostgreSQL connection URL (`postgres://...`) of the state shared by replicas:
   * budgets, quotas, the noise key and the session registry, instead of
   * `stateDir`. Migrations are applied at start. docs/deploy-postgres.md.
   */
  database?: string;
  /** With `database`: the URL other replicas reach this one at (default: {@link PsiServer.url}). */
  advertiseUrl?: string;
  /**
   * Names clients may send in the `Host` header (any port). Default: bound to
   * loopback, only loopback names with the bound port (against DNS rebinding);
   * bound elsewhere, any. Others are refused with `HOST_INVALID` (421).
   */
  allowedHosts?: readonly string[];
  /** Privacy budget per token per window when `stateDir` or `database` is given; default epsilon 1 per 30 days. */
  budgetEpsilon?: Epsilon;
  budgetWindowMs?: number;
}

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
 * Starts the service on its own `node:http` server.
 *
 * @example
 * ```ts
 * const service = await startPsiServer({ items: ['ann@example.com'], port: 0, outDir: 'results' });
 * ```
 */
export async function startPsiServer(opts: PsiServerOptions): Promise<PsiServer> {
  const host = opts.host ?? '127.0.0.1';
  const maxConnections = optionalIntegerIn(opts.maxConnections, 'maxConnections', 1, 1_000_000, 512);
  const perAddress = optionalIntegerIn(opts.maxConnectionsPerAddress, 'maxConnectionsPerAddress', 1, maxConnections, 32);
  // Refused before the state directory or the results directory is touched.
  corsPolicy(opts.corsOrigins ?? []);
  if (opts.outDir !== undefined) await prepareOutDir(opts.outDir);
  const store =
    opts.storeDir === undefined
      ? opts.store
      : await openStoreSets(opts.storeDir, {
          ...(opts.group === undefined ? {} : { group: opts.group }),
          ...(opts.log === undefined ? {} : { log: opts.log }),
        });
  const budgetOptions = {
    ...(opts.budgetEpsilon === undefined ? {} : { budget: opts.budgetEpsilon }),
    ...(opts.budgetWindowMs === undefined ? {} : { windowMs: opts.budgetWindowMs }),
  };
  const shared =
    opts.database === undefined
      ? undefined
      : await openPostgresState(opts.database, {
          ...budgetOptions,
          ...(opts.sessionTtlMs === undefined ? {} : { sessionTtlMs: opts.sessionTtlMs }),
          ...(opts.log === undefined ? {} : { log: opts.log }),
        });
  const state = shared ?? (opts.stateDir === undefined ? undefined : await openServiceState(opts.stateDir, budgetOptions));
  const withStore = store === undefined ? opts : { ...opts, store };
  let handler: PsiHandler;
  try {
    handler = createPsiHandler({
      ...withStore,
      ...(state === undefined ? {} : { budget: state.budget, itemCounter: state.itemCounter, noiseKey: state.noiseKey }),
      ...(shared === undefined
        ? {}
        : {
            routing: shared.registry,
            relationshipStates: shared.relationshipStates,
            // Shared by the replicas; the files under --out, for the platform's ad server, follow each committed change.
            audiences: new RetainedAudiences(
              postgresAudienceRecords(shared.db, opts.outDir === undefined ? undefined : fileAudienceRecords(opts.outDir)),
              opts.audienceRetentionMs === undefined ? {} : { retentionMs: opts.audienceRetentionMs },
            ),
          }),
      readiness: async () => {
        await opts.readiness?.();
        await shared?.ready();
        // The store verified at start must still be there: a lost network mount would fail every session.
        if (opts.storeDir !== undefined && (await currentEpoch(opts.storeDir)) === undefined) {
          throw new PsiError('STORE_NOT_FOUND', `${opts.storeDir} names no current epoch`);
        }
      },
    });
  } catch (e) {
    await state?.close();
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
  server.maxConnections = maxConnections;
  limitPerAddress(server, perAddress);
  let port: number;
  try {
    port = await listenOn(server, opts.port ?? 0, host);
  } catch (e) {
    await handler.close();
    await state?.close();
    throw new PsiError('LISTEN_FAILED', `cannot listen on ${host}:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
  }
  checkHost = hostCheck({ bind: host, port, ...(opts.allowedHosts === undefined ? {} : { allowed: opts.allowedHosts }) });
  const url = httpUrl(host, port);
  try {
    await shared?.registry.start(opts.advertiseUrl ?? url);
  } catch (e) {
    await handler.close();
    await state?.close();
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
    drain: (timeoutMs) => handler.service.drain(timeoutMs),
    close() {
      closed ??= (async () => {
        await handler.close();
        await state?.close();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        server.closeAllConnections();
        await done;
      })();
      return closed;
    },
  };
}
