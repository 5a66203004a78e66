import { SingleBar, Presets } from 'cli-progress';

/**
 * Where a command writes: results to `out`, diagnostics to `err`, and whether
 * a person watches (then long work shows progress bars on stderr).
 *
 * @example
 * ```ts
 * const io: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), tty: false };
 * ```
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal: progress bars are shown only then. */
  tty: boolean;
  /** Events of a long-running command (`--log-format`); default a timestamped line on `err`. */
  log?: (line: string) => void;
}

/**
 * The process's own streams.
 *
 * @example
 * ```ts
 * await run(process.argv, processIo());
 * ```
 */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    tty: process.stdout.isTTY === true && process.stderr.isTTY === true,
  };
}

/**
 * A progress bar for one long task; does nothing unless `io.tty`.
 *
 * @example
 * ```ts
 * const bar = progressBar(io, 'reading', 'rows');
 * bar.update(500, 1000);
 * bar.stop();
 * ```
 */
export interface Progress {
  /** Shows `value` out of `total` (a total that is unknown yet may grow). */
  update(value: number, total: number): void;
  stop(): void;
}

/**
 * Creates a {@link Progress} bar on stderr, only when a person watches.
 *
 * @example
 * ```ts
 * const bar = progressBar(io, 'matching', 'frames');
 * ```
 */
export function progressBar(io: CliIo, label: string, unit: string): Progress {
  if (!io.tty) return { update() {}, stop() {} };
  const bar = new SingleBar(
    { format: `${label.padEnd(9)} [{bar}] {percentage}% | {value}/{total} ${unit}`, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total) {
      if (!started) {
        bar.start(total, value);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
