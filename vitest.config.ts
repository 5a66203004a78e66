import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // `match` keeps the advertiser's secret in the config directory: tests keep theirs out of the user's.
    env: { BLINDJOIN_CONFIG_DIR: join(tmpdir(), 'blindjoin-test-config') },
  },
});
