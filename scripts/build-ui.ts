/**
 * Builds the advertiser's page into `dist/ui/` (or `outdir`): index.html,
 * app.css, app.js (the page), worker.js (the match), blinding.js (the
 * workers it blinds on) and the chunks they load
 * on demand (libsodium's WebAssembly among them). esbuild, plain TypeScript,
 * no framework: see docs/ui.md for why.
 * @module
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const STATIC_FILES = ['index.html', 'app.css'];

/**
 * read-excel-file unzips a workbook with fflate's asynchronous `unzip`, which
 * starts a Worker from a `blob:` URL for each large entry; the page's
 * Content-Security-Policy (`worker-src 'self'`) refuses those, and the read
 * never settles. The page reads workbooks in its own worker already, so its
 * `unzip` is given fflate's `unzipSync` behind the same callback.
 */
const unzipInThisWorker: Plugin = {
  name: 'unzip-in-this-worker',
  setup(b) {
    b.onResolve({ filter: /^fflate$/ }, (args) =>
      /read-excel-file[\\/]modules[\\/]zip[\\/]unzipFromArrayBuffer\.js$/.test(args.importer)
        ? { path: 'fflate-unzip-sync', namespace: 'unzip-in-this-worker', pluginData: args.resolveDir }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'unzip-in-this-worker' }, (args) => ({
      resolveDir: args.pluginData as string,
      contents: `import { unzipSync } from 'fflate';
export function unzip(data, opts, cb) {
  const done = typeof opts === 'function' ? opts : cb;
  const options = typeof opts === 'function' ? {} : opts;
  let cancelled = false;
  setTimeout(() => {
    if (cancelled) return;
    let files;
    try { files = unzipSync(data, options); } catch (e) { done(e, null); return; }
    done(null, files);
  }, 0);
  return () => { cancelled = true; };
}`,
    }));
  },
};

/**
 * Bundles the page for browsers into `outdir`, replacing what was there.
 * Rejects if any module reaches a `node:` built-in (platform 'browser').
 *
 * @example
 * ```ts
 * await buildUi(join(ROOT, 'dist', 'ui'));
 * ```
 */
export async function buildUi(outdir = join(ROOT, 'dist', 'ui')): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: {
      app: join(ROOT, 'src/ui/main.ts'),
      worker: join(ROOT, 'src/ui/worker.ts'),
      blinding: join(ROOT, 'src/ui/blinding-worker.ts'),
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [unzipInThisWorker],
  });
  await Promise.all(STATIC_FILES.map((f) => copyFile(join(ROOT, 'src/ui', f), join(outdir, f))));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildUi(process.argv[2]);
