import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PsiError } from '../errors.js';

/**
 * The advertiser's page as the service serves it: every file of the built
 * page, held in memory, by the name it is requested under.
 *
 * @example
 * ```ts
 * const ui = loadStaticUi(true);
 * ui.serve(req, res, '/app.js'); // true: answered
 * ```
 */
export interface StaticUi {
  /** The directory the files were read from. */
  readonly dir: string;
  /**
   * Answers a GET or HEAD of `path` (relative to where the page is mounted,
   * `/` being `index.html`) when it names one of the page's files; returns
   * `false`, answering nothing, for any other path or method.
   */
  serve(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

/**
 * The page's policy: its own scripts only ('wasm-unsafe-eval' lets the worker
 * compile libsodium's WebAssembly, nothing lets it eval text), requests only
 * to the service that served it, no framing, no plugins, no forms posting away.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where `npm run build` puts the page: `dist/ui/` beside the bundled
 * `dist/*.js` this module becomes, or, run from source (tests, tsx), the
 * checkout's `dist/ui/`.
 */
function packagedDir(): string {
  const candidates = [new URL('./ui/', import.meta.url), new URL('../../dist/ui/', import.meta.url)];
  const found = candidates.find((u) => existsSync(new URL('index.html', u)));
  if (found === undefined) {
    throw new PsiError('UI_MISSING', `the page is not built (no ${fileURLToPath(candidates[0]!)}index.html): run npm run build`);
  }
  return fileURLToPath(found);
}

/**
 * Reads the built page (`ui: true`: the package's `dist/ui/`; a string: that
 * directory) into memory, once, so that serving it touches no file system:
 * only the names found here at start can be answered, and a request path is
 * a key into that table, never a path joined onto a directory, so no `..`,
 * encoded slash or symlink can reach another file. Throws `UI_MISSING` when
 * there is no `index.html`.
 *
 * @example
 * ```ts
 * const ui = loadStaticUi('/srv/blindjoin-ui');
 * ```
 */
export function loadStaticUi(ui: true | string): StaticUi {
  const dir = ui === true ? packagedDir() : ui;
  const files = new Map<string, { type: string; body: Buffer }>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new PsiError('UI_MISSING', `cannot read the page's directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  for (const name of names) {
    const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
    const path = join(dir, name);
    // lstat: a symlink in the directory is skipped, not followed out of it.
    if (type === undefined || !lstatSync(path).isFile()) continue;
    files.set(`/${name}`, { type, body: readFileSync(path) });
  }
  if (!files.has('/index.html')) throw new PsiError('UI_MISSING', `no index.html in ${dir}: run npm run build`);
  files.set('/', files.get('/index.html')!);
  // Served by the service, the page's service is where the page is (see src/ui/service-url.ts).
  if (!files.has('/config.json')) files.set('/config.json', { type: CONTENT_TYPES['.json']!, body: Buffer.from('{"service":"./"}\n') });
  return {
    dir,
    serve(req, res, path) {
      const file = files.get(path);
      if (file === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      res.writeHead(200, {
        'content-type': file.type,
        'content-length': file.body.length,
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // The page is small and changes with each release: revalidating it is cheap and never serves a stale worker.
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    },
  };
}
