/**
 * `quick` (the default, a couple of minutes at most) or `full` (the scaling curve).
 *
 * @example
 * ```ts
 * const sizes = benchMode() === 'full' ? [1e4, 1e7] : [1e4];
 * ```
 */
export type BenchMode = 'quick' | 'full';

/**
 * Reads `--full` / `--quick` from the command line (the last one wins; other arguments
 * are left to the benchmark).
 *
 * @example
 * ```ts
 * const full = benchMode() === 'full';
 * ```
 */
export function benchMode(argv: readonly string[] = process.argv.slice(2)): BenchMode {
  let mode: BenchMode = 'quick';
  for (const arg of argv) {
    if (arg === '--full') mode = 'full';
    else if (arg === '--quick') mode = 'quick';
  }
  return mode;
}
