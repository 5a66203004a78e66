import { describe, expect, it } from 'vitest';
import type { PsiError } from '../../src/errors.js';
import { createServiceMetrics, SESSION_EVENTS } from '../../src/service/metrics.js';
import { SessionStore } from '../../src/service/session-store.js';
import { parseTokens } from '../../src/service/tokens.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startMetricsServer } from '../../src/transport/metrics-server.js';
import { startPsiServer } from '../../src/transport/server.js';
import { users, withDir } from '../store/helpers.js';
import { emails, raw } from '../transport/helpers.js';

const TOKEN = 'f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99';
const TOKEN_ID = 'acmeadvertiser';

/** The documented series (docs/deploy.md): each must be in every scrape. */
const SERIES = [
  'blindjoin_sessions_open',
  'blindjoin_sessions_total',
  'blindjoin_session_duration_seconds',
  'blindjoin_session_items',
  'blindjoin_releases_total',
  'blindjoin_budget_refusals_total',
  'blindjoin_errors_total',
  'blindjoin_store_epoch_info',
  'process_cpu_seconds_total',
  'nodejs_heap_size_used_bytes',
];

/** Value of one sample line, e.g. `blindjoin_sessions_total{event="started"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no sample ${series}`);
  return Number(line.slice(series.length + 1));
}

describe('/metrics of a service with a store', () => {
  it('exposes the documented series with the sessions run, and no identifier, token, token id or session id', async () => {
    await withDir(async (dir) => {
      const platform = users(300);
      await prepareStore(dir, platform, { epoch: 'e7', segmentItems: 100, workers: 1, makeCurrent: true });
      const metrics = createServiceMetrics();
      const service = await startPsiServer({
        storeDir: dir,
        tokens: parseTokens(`${TOKEN_ID} ${TOKEN}\n`),
        minItems: 20,
        workers: 1,
        // Four releases of 0.25 fit the default budget of 1; a fifth session is refused.
        policy: { epsilon: 0.25 },
        observer: metrics.observer,
      });
      const scrape = await startMetricsServer(metrics.registry, { port: 0 });
      try {
        const clientItems: string[] = [];
        const sessionIds: string[] = [];
        for (let k = 0; k < 4; k++) {
          // Each list differs, so each session is a release of its own.
          const items = [...platform.items.slice(k * 10, k * 10 + 30), ...emails(1000 * k, 20, 'c')];
          clientItems.push(...items);
          const result = await matchOverHttp({ server: service.url, token: TOKEN, items, workers: 1 });
          sessionIds.push(result.sessionId);
        }
        const refused = await matchOverHttp({ server: service.url, token: TOKEN, items: emails(9000, 40, 'z'), workers: 1 }).then(
          () => 'completed',
          (e: unknown) => (e as PsiError).code,
        );
        expect(refused).toBe('BUDGET_EXCEEDED');
        const unauthorized = await raw(service.url, 'GET', `/v1/sessions/${sessionIds[0]}?ack=1`, {
          headers: { authorization: 'Bearer wrong-token-wrong-token-wrong-token' },
        });
        expect(unauthorized.status).toBe(401);

        const reply = await fetch(scrape.url);
        expect(reply.status).toBe(200);
        expect(reply.headers.get('content-type')).toContain('text/plain');
        const text = await reply.text();
        for (const series of SERIES) expect(text, series).toMatch(new RegExp(`^${series}(_bucket|_sum|_count)?[{ ]`, 'm'));
        expect(sample(text, 'blindjoin_sessions_total{event="started"}')).toBe(4);
        expect(sample(text, 'blindjoin_sessions_total{event="completed"}')).toBe(4);
        expect(sample(text, 'blindjoin_sessions_total{event="refused"}')).toBe(1);
        expect(sample(text, 'blindjoin_sessions_open')).toBe(0);
        expect(sample(text, 'blindjoin_session_duration_seconds_count')).toBe(4);
        expect(sample(text, 'blindjoin_session_items_sum')).toBe(4 * 50);
        expect(sample(text, 'blindjoin_releases_total')).toBe(4);
        expect(sample(text, 'blindjoin_budget_refusals_total')).toBe(1);
        expect(sample(text, 'blindjoin_errors_total{code="BUDGET_EXCEEDED"}')).toBe(1);
        expect(sample(text, 'blindjoin_errors_total{code="UNAUTHORIZED"}')).toBe(1);
        expect(sample(text, 'blindjoin_store_epoch_info{epoch="e7",group="x25519"}')).toBe(1);

        // Labels name events, codes, the epoch and the group only.
        const labelNames = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]));
        const allowed = new Set(['event', 'code', 'epoch', 'group', 'le', 'version', 'major', 'minor', 'patch', 'space', 'kind', 'type']);
        for (const name of labelNames) expect(allowed, name).toContain(name);
        for (const event of [...text.matchAll(/event="([^"]+)"/g)].map((m) => m[1])) expect(SESSION_EVENTS).toContain(event);
        for (const secret of [TOKEN, TOKEN_ID, ...sessionIds, ...clientItems, ...platform.items.slice(0, 50)]) {
          expect(text.includes(secret), secret).toBe(false);
        }
        expect(text).not.toMatch(/[0-9a-f]{32}/);
        expect(text).not.toContain('@');
        // Only /metrics is served there.
        expect((await fetch(scrape.url.replace('/metrics', '/v1/terms'))).status).toBe(404);
      } finally {
        await scrape.close();
        await service.close();
      }
    });
  });

  it('counts a session the client deletes as aborted, and its HELLO as started', async () => {
    const metrics = createServiceMetrics();
    const service = await startPsiServer({ items: emails(0, 200), disclosure: 'exact', workers: 1, observer: metrics.observer });
    try {
      const controller = new AbortController();
      // The client aborts once the service answered its HELLO: matchWith then sends DELETE for the session.
      const aborted = await matchOverHttp({
        server: service.url,
        items: emails(100, 200),
        workers: 1,
        signal: controller.signal,
        onProgress: ({ framesReceived }) => framesReceived > 0 && controller.abort(),
      }).then(
        () => 'completed',
        (e: unknown) => (e as PsiError).code,
      );
      expect(aborted).toBe('ABORTED');
      const text = await metrics.registry.metrics();
      expect(sample(text, 'blindjoin_sessions_total{event="started"}')).toBe(1);
      expect(sample(text, 'blindjoin_sessions_total{event="aborted"}')).toBe(1);
      expect(sample(text, 'blindjoin_sessions_total{event="completed"}')).toBe(0);
      // No store: no epoch to show, and exact disclosure releases nothing under a policy.
      expect(text).not.toMatch(/^blindjoin_store_epoch_info\{/m);
      expect(sample(text, 'blindjoin_releases_total')).toBe(0);
    } finally {
      await service.close();
    }
  });
});

describe('the session store', () => {
  it('reports each session its sweep drops for its limits, before dropping it', () => {
    const expired: string[] = [];
    const store = new SessionStore({ maxSessions: 4, maxSessionsPerToken: 4, idleTimeoutMs: 1_000, sessionTtlMs: 60_000 });
    store.onExpire((s) => expired.push(`${s.id}:${store.get(s.id) === s}`));
    try {
      store.add('idle', 'acme', 0);
      store.add('fresh', 'acme', 5_000);
      store.sweep(5_500);
      expect(expired).toEqual(['idle:true']);
      expect(store.get('idle')).toBeUndefined();
      expect(store.get('fresh')).toBeDefined();
    } finally {
      store.close();
    }
  });
});
