import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { PsiError } from '../errors.js';
import type { Reveal } from '../wire/reveal.js';
import type { KeyRotation } from '../service/key-rotation.js';
import { openPlatform } from '../service/platform.js';
import { checkListenOptions, servePlatform, type PsiServer } from '../transport/server.js';
import { loadTokensFile } from '../service/tokens.js';
import { isLoopbackHost } from '../transport/host-check.js';
import { terminatePools } from '../pool/registry.js';
import type { InputSpec } from './input.js';
import { formatDuration } from '../service/budget-view.js';
import type { CliIo } from './io.js';
import type { LogFormat } from '../service/log.js';
import { createServiceMetrics } from '../service/metrics.js';
import { reloadableTokens } from '../service/token-reload.js';
import { eventLog, loggingIo } from './log-io.js';
import { withOperations } from './operations.js';
import { serveConfig } from './serve-config.js';

/**
 * Options of the `serve` command, as parsed from its flags.
 *
 * @example
 * ```ts
 * const opts: ServeOptions = { input: 'users.csv', column: 'email', type: 'email', port: 8080, host: '127.0.0.1',
 *   learn: 'intersection', disclosure: 'policy', budgetWindow: 30 * 86_400_000, maxSessions: 16, idleTimeout: 120_000 };
 * ```
 */
export interface ServeOptions extends Partial<InputSpec> {
  /** A store made by `prepare`, served instead of `input`. */
  store?: string;
  port: number;
  host: string;
  learn: Reveal;
  /** Default: `'released'` under a policy, `'size'` under exact disclosure. */
  peerLearns?: Reveal;
  disclosure: 'policy' | 'exact';
  minItems?: number;
  epsilon?: number;
  threshold?: number;
  roundDigits?: number;
  budget?: number;
  budgetWindow: number;
  /** Privacy budgets, quotas and the noise key; none for a demo whose state is thrown away. */
  stateDir?: string;
  /** `--database` (or `BLINDJOIN_DATABASE_URL`): state shared by replicas in PostgreSQL, instead of `stateDir`. */
  database?: string;
  /** `--advertise-url`: where the other replicas reach this one; default the URL it listens on. */
  advertiseUrl?: string;
  /** `--drain-timeout`: on SIGTERM, how long sessions in progress may take to finish (ms); default 30 s with `database`, else 0. */
  drainTimeout?: number;
  tokensFile?: string;
  out?: string;
  maxItems?: number;
  dailyQuota?: number;
  /** Default: one key per day under a policy (so a repeated list gets the same figure), a key per session under exact. */
  keyRotation?: KeyRotation;
  maxSessions: number;
  /** `--max-sessions-per-token`; default an eighth of `maxSessions`. */
  maxSessionsPerToken?: number;
  idleTimeout: number;
  workers?: number | undefined;
  /** Group suite (`--group`); default x25519. */
  group?: GroupName | undefined;
  /** Arithmetic backend (`--backend`); default auto. */
  backend?: BackendChoice | undefined;
  allowAnonymous?: boolean;
  /** Serve the advertiser's page (`--ui`). */
  ui?: boolean;
  /** Host header names clients may use (`--allowed-host`); default loopback names when bound to loopback. */
  allowedHost?: string[];
  /** Origins whose pages may call the service (`--cors-origin`). */
  corsOrigin?: string[];
  /** `--advertiser-values`: sum clients' encrypted columns (semi-honest clients only). */
  advertiserValues?: boolean;
  /** `--audience-retention`: audiences not refreshed within this many ms are deleted; default 540 days. */
  audienceRetention?: number;
  /** `--min-audience`: smallest usable audience, decided on the released figure; default 100. */
  minAudience?: number;
  /** `--value-bound`: per-user clamp of every `--values` column, or one per column; default 1,000 under a policy, none under exact. */
  valueBound?: number | Record<string, number>;
  /** `--log-format`: `text` (default) or `json` lines on stderr. */
  logFormat?: LogFormat;
  /** `--metrics-port`: serve Prometheus metrics there, on `metricsHost` (default loopback). */
  metricsPort?: number;
  metricsHost?: string;
}

/**
 * Reads the platform's file (or opens its store), builds the platform's service
 * once from the resolved config and serves it over HTTP; diagnostics go to stderr.
 *
 * @example
 * ```ts
 * const service = await startService(opts, io);
 * ```
 */
export async function startService(opts: ServeOptions, io: CliIo): Promise<PsiServer> {
  if (opts.tokensFile === undefined && !isLoopbackHost(opts.host) && opts.allowAnonymous !== true) {
    throw new PsiError(
      'TOKENS_REQUIRED',
      `refusing to serve ${opts.host} without --tokens-file: anyone reaching it could match against your data (--allow-anonymous overrides)`,
    );
  }
  const log = eventLog(io);
  const tokens = opts.tokensFile === undefined ? undefined : reloadableTokens(opts.tokensFile, await loadTokensFile(opts.tokensFile), log);
  const metrics = opts.metricsPort === undefined ? undefined : createServiceMetrics();
  const config = await serveConfig(opts, io, { log, tokens, metrics });
  // Refused before the state directory or the results directory is touched.
  checkListenOptions(config.http);
  const service = await servePlatform(await openPlatform(config.platform), config.http);
  const auth =
    tokens === undefined
      ? "no tokens file: open to anyone who reaches it, and every client shares one 'anonymous' privacy budget and quota (one client can spend it for all; --tokens-file gives each its own)"
      : `${tokens.size} tokens`;
  const { terms } = service.handler.service;
  io.err(
    `group ${opts.group ?? 'x25519'}; the service learns ${terms.learn}, clients learn ${terms.peerLearns}; ${auth}${opts.out === undefined ? '' : `; results in ${opts.out}`}\n`,
  );
  if (terms.policy !== undefined) {
    const { epsilon, threshold, significantDigits } = terms.policy;
    io.err(
      `disclosure policy: clients learn figures noised with epsilon ${epsilon} per session, below ${threshold ?? 'no'} withheld, ` +
        `rounded to ${significantDigits ?? 'all'} significant digits; at least ${terms.minItems} items per session` +
        `${opts.database !== undefined ? '; budgets kept in PostgreSQL, shared by every replica' : opts.stateDir === undefined ? '; budgets in memory only (no --state-dir)' : `; budgets kept in ${opts.stateDir}`}\n`,
    );
  } else {
    io.err(
      'WARNING: --disclosure exact makes this service a membership oracle: a client can test whether any one identifier is a user. ' +
        'It is secure only against honest-but-curious clients (docs/privacy.md).\n',
    );
  }
  if (terms.learn === 'intersection') {
    const retention =
      opts.audienceRetention === undefined
        ? 'kept until deleted'
        : `deleted ${formatDuration(opts.audienceRetention)} after their last update`;
    io.err(
      `audiences ${opts.out === undefined ? 'in memory only (no --out)' : `in ${opts.out}/audiences`}, ${retention}; usable from ${terms.minAudience} on the released figure\n`,
    );
  }
  if (opts.database !== undefined) {
    io.err(`replica ${opts.advertiseUrl ?? service.url} of a fleet sharing one PostgreSQL database (budgets, quotas, sessions)\n`);
  }
  if (terms.values !== undefined) {
    const clamp = (bound: number) => (bound === Number.MAX_SAFE_INTEGER ? 'not clamped' : `clamped at ${bound} per user`);
    const columns = Object.entries(terms.values).map(([name, bound]) => `${name} (${clamp(bound)})`);
    io.err(`value columns clients may ask for, one released figure each: ${columns.join(', ')}\n`);
  }
  if (terms.advertiserValues) {
    io.err(
      'advertiser values accepted (--advertiser-values): their sums are private only if clients encrypt values within their declared bound; a malicious client can learn which of a few dozen chosen rows matched (docs/measurement.md)\n',
    );
  }
  return withOperations(service, { metrics, metricsPort: opts.metricsPort, metricsHost: opts.metricsHost, tokens }, io);
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
export async function serveCommand(opts: ServeOptions, cliIo: CliIo, stop: AbortSignal): Promise<void> {
  const io = loggingIo(cliIo, opts.logFormat ?? 'text');
  const service = await startService(opts, io);
  io.out(`listening on ${service.url}\n`);
  if (opts.ui === true) io.err(`the advertiser's page: ${service.url}/\n`);
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  // A fleet drains (its load balancer moves clients to the other replicas); a single service stops at once.
  const drainMs = opts.drainTimeout ?? (opts.database === undefined ? 0 : 30_000);
  io.err(`shutting down: no new sessions; the ${service.handler.sessions} in progress have ${drainMs / 1000} s to finish\n`);
  if (!(await service.drain(drainMs))) io.err('drain timeout: closing the sessions still in progress\n');
  // Drops the live sessions; then the threads stop mid-piece, so that blinding under way (a HELLO's, a key
  // epoch's set) ends with the process instead of delaying its exit.
  const closed = service.close();
  await terminatePools();
  await closed;
}
