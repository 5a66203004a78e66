import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsPolicy } from '../../src/transport/cors.js';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { emails, raw } from '../transport/helpers.js';

const ALLOWED = 'https://ads.example';
const OTHER = 'https://evil.example';

let service: PsiServer;
beforeAll(async () => {
  service = await startPsiServer({
    disclosure: 'exact',
    items: emails(0, 20),
    workers: 1,
    corsOrigins: [ALLOWED, 'http://localhost:5173'],
  });
});
afterAll(async () => {
  await service.close();
});

const preflight = (origin: string, path = '/v1/sessions') =>
  raw(service.url, 'OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the methods, the request headers and the exposed session headers', async () => {
    const reply = await preflight(ALLOWED);
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(reply.headers['access-control-allow-methods']).toContain('POST');
    expect(reply.headers['access-control-allow-methods']).toContain('DELETE');
    expect(reply.headers['access-control-allow-headers']).toBe('authorization, content-type, blindjoin-audience, blindjoin-audience-mode');
    expect(reply.headers['access-control-expose-headers']).toBe('blindjoin-session, blindjoin-pending');
    expect(reply.headers.vary).toBe('Origin');
  });

  it('gives a refused origin no CORS header, on the preflight and on the request', async () => {
    const pre = await preflight(OTHER);
    expect(pre.status).toBe(204);
    expect(Object.keys(pre.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const terms = await raw(service.url, 'GET', '/v1/terms', { headers: { origin: OTHER } });
    expect(terms.status).toBe(200);
    expect(Object.keys(terms.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('matches origins exactly: scheme, host and port', async () => {
    for (const near of ['http://ads.example', 'https://ads.example:8443', 'https://sub.ads.example', 'http://localhost:5174', 'null']) {
      expect((await preflight(near)).headers['access-control-allow-origin']).toBeUndefined();
    }
    expect((await preflight('http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('marks the answers of an allowed origin, refusals included, so its page can read them', async () => {
    const terms = await raw(service.url, 'GET', '/v1/terms', { headers: { origin: ALLOWED } });
    expect(terms.headers['access-control-allow-origin']).toBe(ALLOWED);
    const refused = await raw(service.url, 'POST', '/v1/sessions', { headers: { origin: ALLOWED, 'content-type': 'text/plain' } });
    expect(refused.status).toBe(415);
    expect(refused.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('refuses an allowlist entry that is not a bare origin', () => {
    for (const bad of ['https://ads.example/', 'https://ads.example/page', 'ads.example', 'ftp://ads.example', '*']) {
      expect(() => corsPolicy([bad])).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    }
  });

  it('refuses a wildcard origin at start rather than accepting one that never matches', () => {
    for (const wild of ['https://*.example', 'https://*.ads.example', 'http://*:5173']) {
      expect(() => corsPolicy([wild])).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    }
  });
});
