import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/program.js';

/** An in-memory CliIo that keeps what was written. */
export function captured(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', tty: false, out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
  return io;
}

/** A signal that never aborts. */
export const never = new AbortController().signal;
/** `argv` as `run` takes it. */
export const blindjoin = (...args: string[]) => ['node', 'blindjoin', ...args];

/** `args` with a fresh `--state-dir` unless they name one: the default is per user, and one directory serves one process. */
export function withStateDir(args: readonly string[]): string[] {
  return args.includes('--state-dir') ? [...args] : [...args, '--state-dir', mkdtempSync(join(tmpdir(), 'bj-serve-state-'))];
}

/** Starts `blindjoin serve` in process and waits until it listens; `stop()` ends it and gives its exit code. */
export async function serveInProcess(
  ...args: string[]
): Promise<{ url: string; serving: ReturnType<typeof captured>; stop: () => Promise<number> }> {
  const serving = captured();
  const controller = new AbortController();
  const served = run(blindjoin('serve', ...withStateDir(args)), serving, controller.signal);
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
