import type { DisclosurePolicy } from '../disclosure/policy.js';
import { PsiError } from '../errors.js';
import type { ServiceMetrics } from '../service/metrics.js';
import type { PlatformOptions } from '../service/platform.js';
import type { ReloadableTokens } from '../service/token-reload.js';
import type { PsiListenOptions } from '../transport/server.js';
import { loadInput, resolveInput } from './input.js';
import type { CliIo } from './io.js';
import { boundOf } from './options.js';
import type { ServeOptions } from './serve.js';

/** The disclosure policy the flags ask for; unset flags keep the documented defaults. */
function policyOf(opts: ServeOptions): DisclosurePolicy {
  return {
    ...(opts.epsilon === undefined ? {} : { epsilon: opts.epsilon }),
    ...(opts.threshold === undefined ? {} : { threshold: opts.threshold }),
    ...(opts.roundDigits === undefined ? {} : { significantDigits: opts.roundDigits }),
  };
}

/** The platform's users: the store named, or the CSV read with its columns; exactly one. */
async function sourceOf(
  opts: ServeOptions,
  io: CliIo,
): Promise<Pick<PlatformOptions, 'items' | 'rows' | 'rowColumns' | 'storeDir' | 'keyTypes' | 'values'>> {
  if (opts.store !== undefined) {
    if ([opts.input, opts.column, opts.type, opts.emit].some((flag) => flag !== undefined)) {
      throw new PsiError(
        'OPTIONS_INVALID',
        '--store replaces --input, --column and --type (the store keeps the --emit columns of prepare)',
      );
    }
    return { storeDir: opts.store };
  }
  if (opts.input === undefined || opts.column === undefined || opts.type === undefined) {
    throw new PsiError('OPTIONS_INVALID', 'serve needs --input, --column and --type, or --store');
  }
  const { emit, profile, defaultCountry, hashOf, values: valueColumns } = opts;
  const plan = resolveInput({ column: opts.column, type: opts.type, emit, profile, defaultCountry, hashOf, values: valueColumns });
  const input = await loadInput(opts.input, plan, io);
  io.err(`${opts.input}: ${input.distinct} distinct items from ${input.rowsRead} rows (${input.duplicates} duplicates)\n`);
  const values =
    input.values === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(input.values).map(([name, v]) => [
            name,
            { values: v, bound: boundOf(opts.valueBound, name, opts.disclosure === 'exact') },
          ]),
        );
  return {
    items: input.items,
    rows: input.rows,
    keyTypes: plan.keyTypes,
    ...(input.records === undefined ? {} : { rowColumns: input.records.columns }),
    ...(values === undefined ? {} : { values }),
  };
}

/**
 * What `serve` runs on, split where it is used: the platform's options, which
 * `openPlatform` builds the one service from, and its HTTP side's, which
 * `servePlatform` listens with.
 *
 * @example
 * ```ts
 * const config: ServeConfig = { platform: { storeDir: 'store', stateDir: 'state' }, http: { port: 8080, host: '127.0.0.1' } };
 * ```
 */
export interface ServeConfig {
  platform: PlatformOptions;
  http: PsiListenOptions;
}

/**
 * The config of `serve` from its resolved options (flags > `BLINDJOIN_*` >
 * file, `cli/config/`): reads the platform's input file (or names its store),
 * and gives the platform and its HTTP side the same log, tokens and metrics.
 *
 * @example
 * ```ts
 * const { platform, http } = await serveConfig(opts, io, { log, tokens: undefined, metrics: undefined });
 * ```
 */
export async function serveConfig(
  opts: ServeOptions,
  io: CliIo,
  parts: { log: (line: string) => void; tokens: ReloadableTokens | undefined; metrics: ServiceMetrics | undefined },
): Promise<ServeConfig> {
  const { log, tokens, metrics } = parts;
  const observer = metrics === undefined ? {} : { observer: metrics.observer };
  return {
    platform: {
      ...(await sourceOf(opts, io)),
      ...(opts.advertiserValues === true ? { advertiserValues: true } : {}),
      learn: opts.learn,
      disclosure: opts.disclosure,
      ...(opts.peerLearns === undefined ? {} : { peerLearns: opts.peerLearns }),
      ...(opts.disclosure === 'policy' ? { policy: policyOf(opts) } : {}),
      ...(opts.minItems === undefined ? {} : { minItems: opts.minItems }),
      ...(opts.audienceRetention === undefined ? {} : { audienceRetentionMs: opts.audienceRetention }),
      ...(opts.minAudience === undefined ? {} : { minAudience: opts.minAudience }),
      ...(opts.database !== undefined
        ? { database: opts.database, budgetWindowMs: opts.budgetWindow }
        : opts.stateDir === undefined
          ? {}
          : { stateDir: opts.stateDir, budgetWindowMs: opts.budgetWindow }),
      ...(opts.budget === undefined ? {} : { budgetEpsilon: opts.budget }),
      // Unset, the library's default: one key per day under a policy, a key per session under exact.
      ...(opts.store === undefined && opts.keyRotation !== undefined ? { keyRotation: opts.keyRotation } : {}),
      maxSessions: opts.maxSessions,
      ...(opts.maxSessionsPerToken === undefined ? {} : { maxSessionsPerToken: opts.maxSessionsPerToken }),
      idleTimeoutMs: opts.idleTimeout,
      ...(opts.out === undefined ? {} : { outDir: opts.out }),
      ...(opts.maxItems === undefined ? {} : { maxItems: opts.maxItems }),
      ...(opts.dailyQuota === undefined ? {} : { itemsPerDay: opts.dailyQuota }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.group === undefined ? {} : { group: opts.group }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
      log,
      ...observer,
    },
    http: {
      port: opts.port,
      host: opts.host,
      ...(opts.database === undefined || opts.advertiseUrl === undefined ? {} : { advertiseUrl: opts.advertiseUrl }),
      ...(tokens === undefined ? {} : { tokens }),
      ...(opts.ui === true ? { ui: true } : {}),
      ...(opts.corsOrigin === undefined ? {} : { corsOrigins: opts.corsOrigin }),
      ...(opts.allowedHost === undefined ? {} : { allowedHosts: opts.allowedHost }),
      log,
      ...observer,
    },
  };
}
