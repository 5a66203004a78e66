import { defineConfig } from 'tsup';

/** The package's library entries (package.json "exports"): each built with its declarations. */
const LIBRARY = {
  core: 'src/core.ts',
  node: 'src/node.ts',
  primitives: 'src/primitives.ts',
  measurement: 'src/measurement.ts',
  client: 'src/client.ts',
  files: 'src/files.ts',
  store: 'src/store.ts',
  service: 'src/service.ts',
};

export default defineConfig({
  entry: {
    ...LIBRARY,
    cli: 'src/cli/main.ts',
    worker: 'src/pool/worker.ts',
  },
  format: ['esm'],
  target: 'node20',
  // The root's types are dist/core.d.ts under every condition: the Node root has the same names.
  dts: { entry: Object.fromEntries(Object.entries(LIBRARY).filter(([name]) => name !== 'node')) },
  sourcemap: true,
  // dist/ui/ is the page's, built after tsup by scripts/build-ui.ts, which replaces it whole.
  clean: ['!ui/**'],
  splitting: true,
});
