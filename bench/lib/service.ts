import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * Starts `blindjoin serve --store` in a child process (from the sources, or with
 * `dist` the build users run: `npm run build` first), with a large budget and long
 * timeouts, and waits for its URL; `log` collects its log lines.
 *
 * @example
 * ```ts
 * const { url, child, log } = await serveStore('/tmp/store', '/tmp/state');
 * ```
 */
export async function serveStore(
  store: string,
  stateDir: string,
  dist = false,
): Promise<{ url: string; child: ChildProcess; log: string[] }> {
  const args = [...(dist ? [BUILT] : [...process.execArgv, MAIN]), 'serve', '--store', store, '--port', '0', '--min-items', '1'];
  args.push(
    '--budget',
    '1000000',
    '--epsilon',
    '1',
    '--state-dir',
    stateDir,
    '--max-sessions',
    '16',
    '--max-sessions-per-token',
    '16',
    '--idle-timeout',
    '30m',
  );
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stderr.on('data', (d: Buffer) => log.push(...d.toString().split('\n').filter(Boolean)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (m !== null) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${log.join('\n')}`)));
  });
  return { url, child, log };
}

/**
 * A process's resident set now and its peak (VmHWM; reset it by writing 5 to
 * `/proc/PID/clear_refs`), in MiB.
 *
 * @example
 * ```ts
 * rssOf(child.pid!).peakMiB;
 * ```
 */
export function rssOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}
