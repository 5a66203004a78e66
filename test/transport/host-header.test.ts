import { afterEach, describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { hostCheck, isLoopbackHost } from '../../src/transport/host-check.js';
import { loggablePath, LOG_PATH_CHARS } from '../../src/transport/log-path.js';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { emails, raw } from './helpers.js';

const running: PsiServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(opts: { allowedHosts?: string[]; log?: (line: string) => void } = {}): Promise<PsiServer> {
  const service = await startPsiServer({ disclosure: 'exact', items: emails(0, 20), workers: 1, ...opts });
  running.push(service);
  return service;
}

const code = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    return e instanceof PsiError ? e.code : 'not a PsiError';
  }
  return 'passed';
};

describe('Host header (DNS rebinding)', () => {
  it('bound to loopback, answers loopback names with the bound port and refuses any other name with 421 HOST_INVALID', async () => {
    const service = await start();
    const terms = (host: string) => raw(service.url, 'GET', '/v1/terms', { headers: { host } });
    for (const host of [`127.0.0.1:${service.port}`, `localhost:${service.port}`, `LOCALHOST:${service.port}`, `[::1]:${service.port}`]) {
      expect((await terms(host)).status, host).toBe(200);
    }
    for (const host of [
      `evil.example:${service.port}`,
      'evil.example',
      `127.0.0.1:${service.port + 1}`,
      'localhost',
      `127.0.0.1.evil.example:${service.port}`,
    ]) {
      const reply = await terms(host);
      expect(reply.status, host).toBe(421);
      expect(reply.json().code).toBe('HOST_INVALID');
    }
    // Refused before any route: a session cannot be opened through a rebound name either.
    const hello = await raw(service.url, 'POST', '/v1/sessions', { headers: { host: `evil.example:${service.port}` } });
    expect(hello.json().code).toBe('HOST_INVALID');
  });

  it('with --allowed-host names, answers those names only', async () => {
    const service = await start({ allowedHosts: ['psi.example'] });
    const terms = (host: string) => raw(service.url, 'GET', '/v1/terms', { headers: { host } });
    expect((await terms('psi.example')).status).toBe(200);
    expect((await terms('PSI.example:443')).status).toBe(200);
    expect((await terms(`127.0.0.1:${service.port}`)).status).toBe(421);
    expect((await terms('other.example')).status).toBe(421);
  });

  it('bound elsewhere without names, checks nothing; with names, checks them', () => {
    expect(code(() => hostCheck({ bind: '0.0.0.0', port: 80 })('anything.example'))).toBe('passed');
    expect(code(() => hostCheck({ bind: '0.0.0.0', port: 80, allowed: ['a.example'] })('b.example'))).toBe('HOST_INVALID');
    expect(code(() => hostCheck({ bind: '127.0.0.1', port: 80 })(undefined))).toBe('HOST_INVALID');
    expect(code(() => hostCheck({ bind: '127.0.0.1', port: 80 })('localhost'))).toBe('passed');
    expect(isLoopbackHost('127.8.9.10')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});

describe('log lines of refused requests', () => {
  it('show a bounded path without the query string: a 10 kB URL does not reach the log', async () => {
    const lines: string[] = [];
    const service = await start({ log: (line) => lines.push(line) });
    const long = 'x'.repeat(10_000);
    const reply = await raw(service.url, 'GET', `/${long}?secret=${'s'.repeat(100)}`);
    expect(reply.status).toBe(404);
    const refused = lines.filter((l) => l.startsWith('refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).not.toContain(long);
    expect(refused[0]).not.toContain('secret');
    expect(refused[0]!.length).toBeLessThan(LOG_PATH_CHARS + 200);
  });

  it('escapes control characters and drops queries and fragments', () => {
    expect(loggablePath('/v1/sessions?ack=3')).toBe('/v1/sessions');
    expect(loggablePath('/a#frag')).toBe('/a');
    expect(loggablePath('/a\nrefused GET /forged')).toBe('/a\\x0arefused\\x20GET\\x20/forged');
    expect(loggablePath(`/${'y'.repeat(500)}`)).toBe(`/${'y'.repeat(LOG_PATH_CHARS - 1)}…`);
    expect(loggablePath(undefined)).toBe('');
  });
});
