import { expect } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/program.js';

/** A CliIo that keeps what the command printed. */
export function captured(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', tty: false, out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
  return io;
}

export const never = new AbortController().signal;
export const blindjoin = (...args: string[]) => ['node', 'blindjoin', ...args];

/** Starts `blindjoin serve` in process and waits until it listens; `stop()` ends it and gives its exit code. */
export async function serveInProcess(
  ...args: string[]
): Promise<{ url: string; serving: ReturnType<typeof captured>; stop: () => Promise<number> }> {
  const serving = captured();
  const controller = new AbortController();
  const served = run(blindjoin('serve', ...args), serving, controller.signal);
  let ended = false;
  void served.finally(() => (ended = true));
  while (!serving.stdout.includes('listening on')) {
    expect(ended, serving.stderr).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = /listening on (\S+)/.exec(serving.stdout)![1]!;
  return {
    url,
    serving,
    stop: () => {
      controller.abort();
      return served;
    },
  };
}
