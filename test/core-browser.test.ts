import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** Bundles one entry for browsers and returns its main output file's text. */
async function bundleForBrowser(entry: string, outName: string): Promise<string> {
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
  return result.outputFiles.find((f) => f.path.endsWith(`/${outName}`))!.text;
}

describe('browser bundles', () => {
  it('the browser entry (blindjoin/core) bundles without any node: module', async () => {
    const text = await bundleForBrowser('src/core.ts', 'core.js');
    expect(text).toContain('createParty');
    expect(text).not.toMatch(/from\s*["']node:/);
  });

  it('the group layer reaches the worker pool only through a dynamic import without node: specifiers', async () => {
    expect(await bundleForBrowser('src/group/index.ts', 'index.js')).not.toMatch(/worker_threads/);
  });
});
