/**
 * Wall times of the measured runs of one benchmark case, in milliseconds.
 *
 * @example
 * ```ts
 * const { medianMs, runsMs } = await timeMedian(work);
 * ```
 */
export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runsMs: number[];
}

/**
 * How long and how often to run a case.
 *
 * @example
 * ```ts
 * await timeMedian(work, { runs: 3, warmup: 0, minMs: 300 });
 * ```
 */
export interface TimingOptions {
  /** Measured runs at least; default 5. */
  runs?: number;
  /** Unmeasured runs first (JIT tier-up, page faults); default 1. */
  warmup?: number;
  /** Keep adding runs (warm-up and measured) until each phase took this long; default 0. */
  minMs?: number;
  /** Never more measured runs than this; default 50. */
  maxRuns?: number;
}

/**
 * Runs `fn` unmeasured, then measured, and reports the median: the median shrugs off a
 * noisy neighbour where a mean does not. `minMs` gives fast cases enough runs for the
 * JIT to settle and the median to mean something.
 *
 * @example
 * ```ts
 * const { medianMs } = await timeMedian(() => work(), { runs: 5, minMs: 200 });
 * ```
 */
export async function timeMedian(fn: () => unknown, opts: TimingOptions = {}): Promise<Timing> {
  const { runs = 5, warmup = 1, minMs = 0, maxRuns = 50 } = opts;
  const warmStart = performance.now();
  for (let i = 0; i < warmup || (warmup > 0 && i < maxRuns && performance.now() - warmStart < minMs); i++) await fn();
  const runsMs: number[] = [];
  const start = performance.now();
  while (runsMs.length < runs || (runsMs.length < maxRuns && performance.now() - start < minMs)) {
    const t = performance.now();
    await fn();
    runsMs.push(performance.now() - t);
  }
  const sorted = [...runsMs].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]!, runsMs };
}
