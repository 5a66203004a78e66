/**
 * Builds the advertiser's page into `dist/ui/` (or `outdir`): index.html,
 * app.css, app.js (the page), worker.js (the match) and the chunks they load
 * on demand (libsodium's WebAssembly among them). esbuild, plain TypeScript,
 * no framework: see docs/ui.md for why.
 * @module
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const STATIC_FILES = ['index.html', 'app.css'];

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
    entryPoints: { app: join(ROOT, 'src/ui/main.ts'), worker: join(ROOT, 'src/ui/worker.ts') },
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
  });
  await Promise.all(STATIC_FILES.map((f) => copyFile(join(ROOT, 'src/ui', f), join(outdir, f))));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildUi(process.argv[2]);
