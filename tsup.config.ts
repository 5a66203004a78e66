import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    core: 'src/core.ts',
    primitives: 'src/primitives.ts',
    cli: 'src/cli/main.ts',
    worker: 'src/pool/worker.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts', core: 'src/core.ts', primitives: 'src/primitives.ts' } },
  sourcemap: true,
  // dist/ui/ is the page's, built after tsup by scripts/build-ui.ts, which replaces it whole.
  clean: ['!ui/**'],
  splitting: true,
});
