import { cpus, loadavg } from 'node:os';

/**
 * The highest 1-minute load average at which a side-by-side ratio counts as a
 * result: 1.5 on 2 cores (0.75 per core). Above it a neighbour takes cores that a
 * multi-threaded library needs more than a single-threaded baseline, and the
 * ratio understates the library by up to half.
 */
export const QUIET_LOAD_PER_CORE = 0.75;

/**
 * A load reading: the 1-minute load average, the machine's cores and whether the
 * machine was quiet enough for a ratio (`load <= 0.75 x cores`).
 *
 * @example
 * ```ts
 * const { load, quiet } = readLoad();
 * ```
 */
export interface LoadReading {
  load: number;
  cores: number;
  quiet: boolean;
}

/**
 * The 1-minute load average now. Take it before a measured case starts: once the
 * case runs, its own threads count in the load.
 *
 * @example
 * ```ts
 * const before = readLoad();
 * if (!before.quiet) console.log(notAResult(before));
 * ```
 */
export function readLoad(): LoadReading {
  const cores = cpus().length;
  const load = Math.round(loadavg()[0]! * 100) / 100;
  return { load, cores, quiet: load <= QUIET_LOAD_PER_CORE * cores };
}

/**
 * The line a benchmark prints instead of a ratio measured on a busy machine.
 *
 * @example
 * ```ts
 * notAResult({ load: 3.2, cores: 2, quiet: false }); // 'not a result: load 3.2 on 2 cores (a result needs <= 1.5)'
 * ```
 */
export function notAResult(reading: LoadReading): string {
  return `not a result: load ${reading.load} on ${reading.cores} cores (a result needs <= ${QUIET_LOAD_PER_CORE * reading.cores})`;
}

/**
 * Waits, up to `maxS` seconds, for the 1-minute load average to fall to the quiet
 * level, and returns the reading it ends with. A benchmark's own previous case
 * leaves the average high for a minute after it stopped (it decays with a
 * one-minute time constant): waiting tells that echo from a neighbour still at work.
 *
 * @example
 * ```ts
 * const reading = await settleLoad(120);
 * if (!reading.quiet) console.log(notAResult(reading));
 * ```
 */
export async function settleLoad(maxS: number): Promise<LoadReading> {
  const until = Date.now() + maxS * 1000;
  let reading = readLoad();
  while (!reading.quiet && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    reading = readLoad();
  }
  return reading;
}
