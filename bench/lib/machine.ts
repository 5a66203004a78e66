import { execFileSync } from 'node:child_process';
import { arch, cpus, platform, release, totalmem } from 'node:os';

/**
 * What a reader needs to judge (and rerun) a measurement.
 *
 * @example
 * ```ts
 * const { cpu, cores, commit } = machineInfo();
 * ```
 */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  commit: string;
}

function gitCommit(): string {
  try {
    const run = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = run('rev-parse', '--short=12', 'HEAD');
    return run('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head}+dirty`;
  } catch {
    return 'unknown';
  }
}

/**
 * CPU model, logical cores, memory, Node version, OS, ISO date and git commit
 * (`+dirty` when tracked files differ from it).
 *
 * @example
 * ```ts
 * console.log(machineInfo().cpu); // 'AMD EPYC'
 * ```
 */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    date: new Date().toISOString(),
    commit: gitCommit(),
  };
}
