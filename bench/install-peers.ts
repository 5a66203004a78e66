/**
 * Installs the peer implementations the side-by-side benchmarks compare against into
 * `bench/peers/` (gitignored, outside the project's lockfile), if they are missing.
 * `--ignore-scripts` because psi.js's protoc dependency downloads a binary at install
 * time, which fails offline and is not needed to run it. Never fails the bench chain:
 * without network it says so and the comparison is skipped.
 *
 *   npx tsx bench/install-peers.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The peer packages, pinned.
 *
 * @example
 * ```ts
 * PEERS['@openmined/psi.js']; // '2.0.6'
 * PEERS['paillier-bigint'];    // '3.4.3', the Paillier baseline of bench/homomorphic.ts
 * ```
 */
export const PEERS = { '@openmined/psi.js': '2.0.6', 'paillier-bigint': '3.4.3' } as const;

/**
 * `bench/peers`, wherever the process was started from.
 *
 * @example
 * ```ts
 * createRequire(join(PEERS_DIR, 'package.json'))('@openmined/psi.js');
 * ```
 */
export const PEERS_DIR = fileURLToPath(new URL('./peers/', import.meta.url));

const installed = (name: string) => existsSync(join(PEERS_DIR, 'node_modules', name, 'package.json'));

function main(): void {
  const missing = Object.entries(PEERS).filter(([name]) => !installed(name));
  if (missing.length === 0) {
    console.log(`peers present in ${PEERS_DIR}`);
    return;
  }
  mkdirSync(PEERS_DIR, { recursive: true });
  const manifest = join(PEERS_DIR, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: 'blindjoin-bench-peers', private: true }, null, 2)}\n`);
  const specs = missing.map(([name, version]) => `${name}@${version}`);
  console.log(`installing ${specs.join(', ')} into ${PEERS_DIR} ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...specs], { cwd: PEERS_DIR, stdio: 'inherit' });
  if (run.status !== 0) console.log('could not install the peers (offline?); the side-by-side benchmark will be skipped');
}

// Importing this module (for PEERS_DIR) installs nothing; running it does.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
