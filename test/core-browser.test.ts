import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

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
  it('the browser entry (blindjoin/core) bundles without any node: module', async () => {
    const { main } = await bundleForBrowser('src/core.ts', 'core.js');
    expect(main).toContain('createParty');
    expect(main).not.toMatch(NODE_MODULE);
  });

  it('the group layer reaches the worker pool only through a dynamic import without node: specifiers', async () => {
    expect((await bundleForBrowser('src/group/index.ts', 'index.js')).main).not.toMatch(/worker_threads/);
  });

  it('the x25519 suite bundles without node: specifiers or sodium-native', async () => {
    const { all } = await bundleForBrowser('src/group/x25519/index.ts', 'index.js');
    expect(all).not.toMatch(NODE_MODULE);
    expect(all).not.toMatch(/require\(["']sodium-native["']\)|from\s*["']sodium-native["']/);
  });

  it('the disclosure module bundles without the Node-only budget ledger', async () => {
    const { all } = await bundleForBrowser('src/disclosure/index.ts', 'index.js');
    expect(all).toContain('discreteLaplace');
    expect(all).not.toMatch(NODE_MODULE);
    expect(all).not.toContain('BudgetLedger');
  });

  it("the advertiser's page and its worker bundle without any node: module", async () => {
    const page = await bundleForBrowser('src/ui/main.ts', 'main.js');
    const worker = await bundleForBrowser('src/ui/worker.ts', 'worker.js');
    expect(page.all).not.toMatch(NODE_MODULE);
    expect(worker.all).not.toMatch(NODE_MODULE);
    expect(worker.main).toContain('blindjoin/item/v1/');
    expect(worker.all).not.toContain('createReadStream');
  });

  it('the homomorphic layer bundles with libsodium only behind a dynamic import', async () => {
    const { main, all } = await bundleForBrowser('src/homomorphic/index.ts', 'index.js');
    expect(all).not.toMatch(NODE_MODULE);
    expect(main).toContain('createDecryptionTable');
    expect(main).not.toContain('_crypto_scalarmult_ristretto255_base');
  });
});
