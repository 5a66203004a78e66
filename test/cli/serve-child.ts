import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// Absolute, so that a child started in another directory finds it.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One `blindjoin serve` child process run from the sources. */
export interface ServeChild {
  child: ChildProcess;
  /** Resolves with the URL once it listens, or with the exit code and stderr if it stops first. */
  started: Promise<{ url: string } | { code: number | null; stderr: string }>;
  /** Resolves the exit code (or the signal's name) once the process ended. */
  exited: Promise<number | string>;
  stdout(): string;
  stderr(): string;
}

/** The service of a CSV of emails on a free loopback port, with exact figures and one blinding thread. */
export function emailServeArgs(csv: string): string[] {
  return ['--input', csv, '--column', 'email', '--type', 'email', '--port', '0', '--disclosure', 'exact', '--workers', '1'];
}

/** Starts `blindjoin serve ARGS` (from `cwd`, the repository by default, with `env`, this process's by default). */
export function serveChild(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ServeChild {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
  const started = new Promise<{ url: string } | { code: number | null; stderr: string }>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url !== undefined) resolve({ url });
    });
    // 'close' comes after the last output, so a refusal's whole stderr is there.
    child.once('close', (code) => resolve({ code, stderr: err }));
  });
  return { child, started, exited, stdout: () => out, stderr: () => err };
}

/** The URL of a started service; throws with its stderr if it stopped before listening. */
export async function listening(served: ServeChild): Promise<string> {
  const started = await served.started;
  if ('url' in started) return started.url;
  throw new Error(`serve exited (${started.code}) before listening:\n${started.stderr}`);
}

/** Waits until `read()` matches `pattern` (a child's output grows as it logs). */
export async function until(read: () => string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  for (const start = Date.now(); !pattern.test(read());) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}; got:\n${read()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
