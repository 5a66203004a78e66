import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { emails, raw } from '../transport/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'blindjoin-ui-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
writeFileSync(join(dir, 'app.js'), 'export {};');
writeFileSync(join(dir, 'app.css'), 'body{}');
writeFileSync(join(dir, 'notes.txt'), 'not a page file');
mkdirSync(join(dir, 'sub'));
writeFileSync(join(dir, 'sub', 'x.js'), 'nested');
// A file beside the page's directory that no request may reach, not even through a symlink in the directory.
const secret = join(dir, '..', `blindjoin-secret-${process.pid}.json`);
writeFileSync(secret, '{"secret":1}');
symlinkSync(secret, join(dir, 'linked.json'));

let service: PsiServer;
beforeAll(async () => {
  service = await startPsiServer({ disclosure: 'exact', items: emails(0, 20), workers: 1, ui: dir, basePath: '/psi' });
});
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(secret, { force: true });
});

describe('the page served by the service', () => {
  it('serves index.html at the base path with a tight CSP and nosniff', async () => {
    const page = await raw(service.url, 'GET', '/psi/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.body.toString()).toContain('<title>page</title>');
  });

  it('tells the page that its service is where the page is', async () => {
    expect((await raw(service.url, 'GET', '/psi/config.json')).json()).toEqual({ service: './' });
  });

  it('redirects the bare base path to its trailing slash, where relative URLs resolve', async () => {
    const reply = await raw(service.url, 'GET', '/psi');
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe('/psi/');
  });

  it('gives each file its content type', async () => {
    expect((await raw(service.url, 'GET', '/psi/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw(service.url, 'GET', '/psi/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await raw(service.url, 'HEAD', '/psi/app.js');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('answers only the files it read at start: no traversal, no nested or unknown files', async () => {
    for (const path of [
      `/psi/../blindjoin-secret-${process.pid}.json`,
      `/psi/%2e%2e/blindjoin-secret-${process.pid}.json`,
      `/psi/..%2fblindjoin-secret-${process.pid}.json`,
      `/psi/%2e%2e%2fblindjoin-secret-${process.pid}.json`,
      '/psi/linked.json',
      '/psi/sub/x.js',
      '/psi/notes.txt',
      '/psi//etc/passwd',
      '/psi/index.html%00.js',
    ]) {
      const reply = await raw(service.url, 'GET', path);
      expect(reply.status, path).toBe(404);
      expect(reply.body.toString(), path).not.toContain('"secret":1');
    }
  });

  it('does not serve the page to other methods, and the API routes still answer', async () => {
    expect((await raw(service.url, 'POST', '/psi/app.js')).status).toBe(404);
    expect((await raw(service.url, 'GET', '/psi/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('refuses to start without a built page', async () => {
    await expect(startPsiServer({ items: emails(0, 2), ui: join(dir, 'sub') })).rejects.toMatchObject({ code: 'UI_MISSING' });
    await expect(startPsiServer({ items: emails(0, 2), ui: join(dir, 'missing') })).rejects.toMatchObject({ code: 'UI_MISSING' });
  });
});
