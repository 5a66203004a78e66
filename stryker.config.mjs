// StrykerJS mutation testing: `npm run mutate` (slow; not run in CI). See docs/testing.md.
//
// Narrow a run from the command line, e.g. `npm run mutate -- --mutate 'src/wire/**/*.ts'`.
// Re-run only what changed since the last run: `npm run mutate -- --incremental`
// (it does not notice changes outside the mutated files and the test files, such as
// test helpers or src/group: use a full run before quoting a score).

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',

  mutate: ['src/protocol/**/*.ts', 'src/wire/**/*.ts', 'src/service/**/*.ts', 'src/transport/**/*.ts'],

  // The sandbox is a copy of the project with node_modules symlinked, so tsx (used by
  // src/pool/spawn.ts to start worker.ts in worker threads) and esbuild/tsup
  // resolve as usual. Leave out build output and old reports: dist/ is rebuilt in the
  // sandbox by test/cli/build.ts when the CLI tests need it.
  symlinkNodeModules: true,
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench/peers', 'bench/results', '.stryker-tmp', '*.log'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,

  // Two cores shared with other work: two test runners, each running vitest with
  // one thread. Use `--concurrency 1` on a busy machine.
  concurrency: 2,
  // Tests use worker threads, sockets and child processes, and the machine is shared:
  // be generous before calling a mutant a timeout (an infinite loop, or a party left
  // waiting on a peer). vitest's own testTimeout is 60 s.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 30,
  // Module-level mutants (constant tables, messages) would need the whole suite per
  // mutant; they are run (not ignored) so the score covers them.
  ignoreStatic: false,

  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Clear text: the score table and every surviving mutant, not the list of tests.
  clearTextReporter: { allowColor: false, reportTests: false, reportMutants: true, reportScoreTable: true },
  incremental: false,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 80, low: 60, break: null },
};
