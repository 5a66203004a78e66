import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { blindjoin, captured, never, serveInProcess } from '../cli/serve-in-process.js';
import { raw } from '../transport/helpers.js';
import { ensureUiBuilt } from './helpers.js';

let dir: string;
beforeAll(async () => {
  await ensureUiBuilt();
  dir = await mkdtemp(join(tmpdir(), 'bj-serve-ui-'));
  await writeFile(join(dir, 'users.csv'), 'email\nann@example.com\nbob@example.com\n');
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const serveArgs = () => ['--input', join(dir, 'users.csv'), '--column', 'email', '--type', 'email', '--port', '0', '--workers', '1'];

it('serve --ui serves the page, and --cors-origin takes repeated and comma-separated origins', async () => {
  const { url, serving, stop } = await serveInProcess(
    ...serveArgs(),
    '--state-dir',
    join(dir, 'state'),
    '--ui',
    '--cors-origin',
    'https://a.example,https://b.example',
    '--cors-origin',
    'http://localhost:3000',
  );
  try {
    expect(serving.stderr).toContain(`the advertiser's page: ${url}/`);
    const page = await raw(url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<script type="module" src="app.js"></script>');
    for (const origin of ['https://a.example', 'https://b.example', 'http://localhost:3000']) {
      const terms = await raw(url, 'GET', '/v1/terms', { headers: { origin } });
      expect(terms.headers['access-control-allow-origin']).toBe(origin);
    }
    expect(
      (await raw(url, 'GET', '/v1/terms', { headers: { origin: 'https://c.example' } })).headers['access-control-allow-origin'],
    ).toBeUndefined();
  } finally {
    expect(await stop()).toBe(0);
  }
});

it('serve without --ui serves no page', async () => {
  const { url, stop } = await serveInProcess(...serveArgs(), '--state-dir', join(dir, 'state2'));
  try {
    expect((await raw(url, 'GET', '/')).status).toBe(404);
  } finally {
    expect(await stop()).toBe(0);
  }
});

it('serve refuses a --cors-origin that is not a bare origin', async () => {
  const io = captured();
  const args = [...serveArgs(), '--state-dir', join(dir, 'state3'), '--cors-origin', 'https://a.example/'];
  expect(await run(blindjoin('serve', ...args), io, never)).toBe(1);
  expect(io.stderr).toMatch(/OPTIONS_INVALID: CORS origin "https:\/\/a.example\/" is not a bare origin/);
  expect(existsSync(join(dir, 'state3'))).toBe(false);
});
