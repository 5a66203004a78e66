import { createServer } from 'node:http';
import type { Registry } from 'prom-client';
import { PsiError } from '../errors.js';
import { httpUrl, listenOn } from './http-util.js';

/**
 * A running metrics listener.
 *
 * @example
 * ```ts
 * const metrics = await startMetricsServer(registry, { port: 9464 });
 * console.error(metrics.url); // http://127.0.0.1:9464/metrics
 * await metrics.close();
 * ```
 */
export interface MetricsServer {
  /** The scrape URL, `http://HOST:PORT/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `registry` at `GET /metrics` on a listener of its own (loopback by
 * default), apart from the service's port: a scraper needs no token, and an
 * advertiser reaching the service reaches no metrics. Any other path is 404.
 *
 * @example
 * ```ts
 * const { registry, observer } = createServiceMetrics();
 * const metrics = await startMetricsServer(registry, { port: 0, host: '127.0.0.1' });
 * ```
 */
export async function startMetricsServer(registry: Registry, opts: { port?: number; host?: string } = {}): Promise<MetricsServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  let port: number;
  try {
    port = await listenOn(server, opts.port ?? 0, host);
  } catch (e) {
    throw new PsiError('LISTEN_FAILED', `cannot listen for metrics on ${host}:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
  }
  return {
    url: `${httpUrl(host, port)}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
