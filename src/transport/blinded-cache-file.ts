import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { BlindedCache } from '../protocol/blinded-cache.js';

/**
 * Where `match --relationship id` keeps its blinded cache: next to the key
 * file it derives the relationship's key from, one file per relationship.
 *
 * @example
 * ```ts
 * blindedCacheFile('/home/ann/.config/blindjoin/keys/https_psi.example_443.key', 'crm');
 * // '/home/ann/.config/blindjoin/keys/https_psi.example_443.key.crm.blinded'
 * ```
 */
export function blindedCacheFile(keyFile: string, relationship: string): string {
  return `${keyFile}.${relationship.replace(/[^A-Za-z0-9.-]/g, '_')}.blinded`;
}

/**
 * The blinded cache kept at `path`, or an empty one when there is none or it
 * cannot be used: unreadable, not a cache (format, length, checksum), or
 * writable by other users than its owner (whoever can change it could change
 * what the next session sends). Each reason is passed to `warn`; this never
 * throws. A cache made under another key is emptied by the session itself.
 *
 * @example
 * ```ts
 * const blindedCache = await readBlindedCache(path, (why) => process.stderr.write(`${why}\n`));
 * ```
 */
export async function readBlindedCache(path: string, warn: (message: string) => void): Promise<BlindedCache> {
  try {
    const { mode } = await stat(path);
    if ((mode & 0o022) !== 0) {
      warn(`ignoring the blinded cache ${path}: other users can change it (mode ${(mode & 0o777).toString(8)})`);
      return new BlindedCache();
    }
    return BlindedCache.fromBytes(new Uint8Array(await readFile(path)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      warn(`ignoring the blinded cache ${path} (every item is blinded afresh): ${(e as Error).message}`);
    }
    return new BlindedCache();
  }
}

/**
 * Writes `cache` to `path` atomically (mode 0600): the entries the sessions
 * since it was read used, nothing else.
 *
 * @example
 * ```ts
 * await writeBlindedCache(path, blindedCache);
 * ```
 */
export async function writeBlindedCache(path: string, cache: BlindedCache): Promise<void> {
  cache.keepUsed();
  await writeFileAtomic(path, cache.toBytes());
}
