import { build } from 'esbuild';
import { expect, it } from 'vitest';

it('the browser entry (blindjoin/core) bundles for browsers without any node: module', async () => {
  const result = await build({
    entryPoints: ['src/core.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    outdir: 'unused',
    write: false,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const entry = result.outputFiles.find((f) => f.path.endsWith('/core.js'))!;
  expect(entry.text).toContain('createParty');
  expect(entry.text).not.toMatch(/from\s*["']node:/);
});
