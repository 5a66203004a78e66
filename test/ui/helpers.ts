import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildUi } from '../../scripts/build-ui.js';
import { withBuildLock } from '../cli/build.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const UI_DIR = join(ROOT, 'dist', 'ui');
export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** The flags of a quiet, sandbox-less headless run (CI runs as root in a container). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function newest(dir: string): Promise<number> {
  let at = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    at = Math.max(at, entry.isDirectory() ? await newest(path) : (await stat(path)).mtimeMs);
  }
  return at;
}

/**
 * Builds dist/ui when it is missing or older than any source, so that `npm test` alone, from a fresh clone, tests the
 * page; under the lock of tsup's builds, so that no test worker loads the page while another rewrites it.
 */
export async function ensureUiBuilt(): Promise<void> {
  await withBuildLock(async () => {
    const built = await stat(join(UI_DIR, 'index.html')).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (built < (await newest(join(ROOT, 'src')))) await buildUi(UI_DIR);
  });
}

/** A plain static host on loopback, as a platform would host the page: the files of `dir` and a `config.json`. */
export async function staticHost(dir: string, config: () => unknown): Promise<Server> {
  const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
  const files = new Map(readdirSync(dir).map((name) => [`/${name}`, readFileSync(join(dir, name))]));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config()));
      return;
    }
    const body = files.get(path);
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': types[path.split('.').pop()!] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
