import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('group layer in browsers', () => {
  it('bundles for the browser platform: the worker pool is reached only through a dynamic import without node: specifiers', async () => {
    const result = await build({
      entryPoints: ['src/group/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      splitting: true,
      outdir: 'unused',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const entry = result.outputFiles.find((f) => f.path.endsWith('/index.js'))!;
    expect(entry.text).not.toMatch(/worker_threads/);
  });
});
