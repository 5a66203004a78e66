import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.js';

/**
 * `bench/results`, wherever the process was started from.
 *
 * @example
 * ```ts
 * readFileSync(join(RESULTS_DIR, 'join.json'), 'utf8');
 * ```
 */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * Writes `{ name, machine, ...data }` to `bench/results/<name>.json` (via a temp file,
 * so a killed run never leaves half a file) and returns the path.
 *
 * @example
 * ```ts
 * writeResults('join', { rows });
 * ```
 */
export function writeResults(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ name, machine: machineInfo(), ...data }, null, 2)}\n`);
  renameSync(temp, path);
  return path;
}
