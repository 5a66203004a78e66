import { isIP } from 'node:net';
import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { PsiError } from '../errors.js';
import type { Reveal } from '../wire/reveal.js';
import type { KeyRotation } from '../service/key-rotation.js';
import { startPsiServer, type PsiServer } from '../transport/server.js';
import { loadTokensFile } from '../service/tokens.js';
import { loadInput, type InputSpec } from './input.js';
import type { CliIo } from './io.js';

/**
 * Options of the `serve` command, as parsed from its flags.
 *
 * @example
 * ```ts
 * const opts: ServeOptions = { input: 'users.csv', column: 'email', type: 'email', port: 8080, host: '127.0.0.1',
 *   learn: 'intersection', peerLearns: 'size', keyRotation: 'session', maxSessions: 16, idleTimeout: 120_000 };
 * ```
 */
export interface ServeOptions extends InputSpec {
  port: number;
  host: string;
  learn: Reveal;
  peerLearns: Reveal;
  tokensFile?: string;
  out?: string;
  maxItems?: number;
  dailyQuota?: number;
  keyRotation: KeyRotation;
  maxSessions: number;
  idleTimeout: number;
  workers?: number;
  /** Group suite (`--group`); default x25519. */
  group?: GroupName;
  /** Arithmetic backend (`--backend`); default auto. */
  backend?: BackendChoice;
  allowAnonymous?: boolean;
}

function loopback(host: string): boolean {
  return host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
}

/**
 * Reads the platform's file and starts the service on it; diagnostics go to stderr.
 *
 * @example
 * ```ts
 * const service = await startService(opts, io);
 * ```
 */
export async function startService(opts: ServeOptions, io: CliIo): Promise<PsiServer> {
  if (opts.tokensFile === undefined && !loopback(opts.host) && opts.allowAnonymous !== true) {
    throw new PsiError(
      'TOKENS_REQUIRED',
      `refusing to serve ${opts.host} without --tokens-file: anyone reaching it could match against your data (--allow-anonymous overrides)`,
    );
  }
  const tokens = opts.tokensFile === undefined ? undefined : await loadTokensFile(opts.tokensFile);
  const input = await loadInput(opts, io);
  io.err(`${opts.input}: ${input.distinct} distinct items from ${input.rowsRead} rows (${input.duplicates} duplicates)\n`);
  const service: PsiServer = await startPsiServer({
    items: input.items,
    rows: input.rows,
    port: opts.port,
    host: opts.host,
    learn: opts.learn,
    peerLearns: opts.peerLearns,
    keyRotation: opts.keyRotation,
    maxSessions: opts.maxSessions,
    idleTimeoutMs: opts.idleTimeout,
    ...(tokens === undefined ? {} : { tokens }),
    ...(opts.out === undefined ? {} : { outDir: opts.out }),
    ...(opts.maxItems === undefined ? {} : { maxItems: opts.maxItems }),
    ...(opts.dailyQuota === undefined ? {} : { itemsPerDay: opts.dailyQuota }),
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.group === undefined ? {} : { group: opts.group }),
    ...(opts.backend === undefined ? {} : { backend: opts.backend }),
    log: (line) => io.err(`${new Date().toISOString()} ${line}\n`),
  });
  const auth = tokens === undefined ? 'no tokens: open to anyone who reaches it' : `${tokens.size} tokens`;
  io.err(`group ${opts.group ?? 'x25519'}; the service learns ${opts.learn}, clients learn ${opts.peerLearns}; ${auth}${opts.out === undefined ? '' : `; results in ${opts.out}`}\n`);
  return service;
}

/**
 * The `serve` command: {@link startService}, print `listening on URL` on stdout
 * once clients may connect, and serve until `stop` aborts.
 *
 * @example
 * ```ts
 * await serveCommand(opts, processIo(), controller.signal);
 * ```
 */
export async function serveCommand(opts: ServeOptions, io: CliIo, stop: AbortSignal): Promise<void> {
  const service = await startService(opts, io);
  io.out(`listening on ${service.url}\n`);
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  io.err('shutting down\n');
  await service.close();
}
