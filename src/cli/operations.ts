import type { ServiceMetrics } from '../service/metrics.js';
import type { ReloadableTokens } from '../service/token-reload.js';
import { startMetricsServer, type MetricsServer } from '../transport/metrics-server.js';
import type { PsiServer } from '../transport/server.js';
import type { CliIo } from './io.js';

/**
 * What `serve` runs beside the service itself.
 *
 * @example
 * ```ts
 * const ops: Operations = { metrics: createServiceMetrics(), metricsPort: 9464, tokens };
 * ```
 */
export interface Operations {
  /** The service's metrics, served on `metricsPort` when given. */
  metrics?: ServiceMetrics | undefined;
  metricsPort?: number | undefined;
  metricsHost?: string | undefined;
  /** The tokens file's table, read again on SIGHUP. */
  tokens?: ReloadableTokens | undefined;
}

/**
 * Starts the metrics listener and the SIGHUP reload of the tokens file beside
 * a running service; the service returned stops them too when it closes. If
 * the metrics listener cannot start, the service is closed and the error thrown.
 *
 * @example
 * ```ts
 * const service = await withOperations(await startPsiServer(opts), { metrics, metricsPort: 9464, tokens }, io);
 * ```
 */
export async function withOperations(service: PsiServer, ops: Operations, io: CliIo): Promise<PsiServer> {
  let metrics: MetricsServer | undefined;
  if (ops.metrics !== undefined && ops.metricsPort !== undefined) {
    try {
      metrics = await startMetricsServer(ops.metrics.registry, {
        port: ops.metricsPort,
        ...(ops.metricsHost === undefined ? {} : { host: ops.metricsHost }),
      });
    } catch (e) {
      await service.close();
      throw e;
    }
    io.err(`metrics on ${metrics.url}\n`);
  }
  const log = io.log ?? ((line: string) => io.err(`${line}\n`));
  const hangup = () => {
    if (ops.tokens === undefined) log('SIGHUP: no --tokens-file to reload');
    else void ops.tokens.reload();
  };
  process.on('SIGHUP', hangup);
  let closed: Promise<void> | undefined;
  return {
    ...service,
    close() {
      closed ??= (async () => {
        process.off('SIGHUP', hangup);
        await service.close();
        await metrics?.close();
      })();
      return closed;
    },
  };
}
