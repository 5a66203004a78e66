import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('homomorphic layer in browsers', () => {
  it('bundles without any node: module, with libsodium only behind a dynamic import', async () => {
    const result = await build({
      entryPoints: ['src/homomorphic/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      splitting: true,
      outdir: 'unused',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const main = result.outputFiles.find((f) => f.path.endsWith('/index.js'))!.text;
    for (const file of result.outputFiles) expect(file.text).not.toMatch(/from\s*["']node:|require\(["']node:/);
    expect(main).toContain('createDecryptionTable');
    expect(main).not.toContain('_crypto_scalarmult_ristretto255_base');
  });
});
