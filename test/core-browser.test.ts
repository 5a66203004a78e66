import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './cli/build.js';

const ROOT = join(import.meta.dirname, '..');

/** The folders of src/ whose lint config refuses `node:` modules (eslint.config.js, BROWSER). */
async function browserFolders(): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory());
  const browser: string[] = [];
  for (const { name } of folders) {
    const config = (await eslint.calculateConfigForFile(join(ROOT, 'src', name, 'probe.ts'))) as { rules?: Record<string, unknown> };
    if (JSON.stringify(config.rules?.['no-restricted-imports'] ?? []).includes('"node:*"')) browser.push(name);
  }
  return browser;
}

/** Bundles one entry for browsers: the main output file's text and every output file's, joined. */
async function bundleForBrowser(entry: string, outName: string): Promise<{ main: string; all: string }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    outdir: 'unused',
    write: false,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  return {
    main: result.outputFiles.find((f) => f.path.endsWith(`/${outName}`))!.text,
    all: result.outputFiles.map((f) => f.text).join('\n'),
  };
}

const NODE_MODULE = /from\s*["']node:|require\(["']node:/;

describe('browser bundles', () => {
  it('the root entry (src/core.ts) bundles without any node: module or the worker pool, even lazily', async () => {
    const { main, all } = await bundleForBrowser('src/core.ts', 'core.js');
    expect(main).toContain('createParty');
    expect(all).not.toMatch(NODE_MODULE);
    expect(all).not.toMatch(/worker_threads|availableParallelism/);
  });

  it('every module of the browser folders bundles for browsers', async () => {
    const browser = await browserFolders();
    expect(browser).toEqual(expect.arrayContaining(['random', 'identifiers', 'group', 'disclosure', 'protocol', 'ui']));
    const modules = browser.flatMap((folder) =>
      readdirSync(join(ROOT, 'src', folder), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => `./src/${folder}/${file}`),
    );
    expect(modules.length).toBeGreaterThan(100);
    const result = await build({
      stdin: { contents: modules.map((m, i) => `export * as m${i} from '${m}';`).join('\n'), resolveDir: ROOT, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(NODE_MODULE);
  });

  it('the x25519 suite bundles without node: specifiers or sodium-native', async () => {
    const { all } = await bundleForBrowser('src/group/x25519/index.ts', 'index.js');
    expect(all).not.toMatch(NODE_MODULE);
    expect(all).not.toMatch(/require\(["']sodium-native["']\)|from\s*["']sodium-native["']/);
  });

  it("the advertiser's page and its worker bundle without any node: module", async () => {
    const page = await bundleForBrowser('src/ui/main.ts', 'main.js');
    const worker = await bundleForBrowser('src/ui/worker.ts', 'worker.js');
    expect(page.all).not.toMatch(NODE_MODULE);
    expect(worker.all).not.toMatch(NODE_MODULE);
    expect(worker.main).toContain('blindjoin/item/v1/');
    expect(worker.all).not.toContain('createReadStream');
  });

  it("the page's blinding worker bundles without any node: module or Node's worker pool", async () => {
    const { main, all } = await bundleForBrowser('src/ui/blinding-worker.ts', 'blinding-worker.js');
    expect(all).not.toMatch(NODE_MODULE);
    expect(all).not.toMatch(/worker_threads|availableParallelism/);
    expect(main).toContain('the blinder was closed');
  });

  it('the homomorphic layer bundles with libsodium only behind a dynamic import', async () => {
    const { main, all } = await bundleForBrowser('src/homomorphic/index.ts', 'index.js');
    expect(all).not.toMatch(NODE_MODULE);
    expect(main).toContain('createDecryptionTable');
    expect(main).not.toContain('_crypto_scalarmult_ristretto255_base');
  });
});

// As a project installing the package bundles it: `blindjoin` resolved through package.json "exports" to the built files.
describe('a browser import of the package root', () => {
  beforeAll(ensureBuilt, 180_000);

  it('resolves to dist/core.js and bundles without any node: module or the worker pool', async () => {
    const result = await build({
      stdin: {
        contents:
          "import { createParty, runLocal, matchWith, fetchPort } from 'blindjoin';\nexport const api = [createParty, runLocal, matchWith, fetchPort];\n",
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('dist/core.js');
    expect(inputs).not.toContain('dist/node.js');
    const text = result.outputFiles.map((f) => f.text).join('\n');
    expect(text).not.toMatch(NODE_MODULE);
    expect(text).not.toMatch(/worker_threads|availableParallelism/);
  });
});
