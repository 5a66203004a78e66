import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the disclosure module in browsers', () => {
  it('src/disclosure/index.ts bundles for browsers without any node: module (the ledger is not in it)', async () => {
    const result = await build({
      entryPoints: ['src/disclosure/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const text = result.outputFiles[0]!.text;
    expect(text).toContain('discreteLaplace');
    expect(text).not.toMatch(/from\s*["']node:/);
    expect(text).not.toContain('BudgetLedger');
  });
});
