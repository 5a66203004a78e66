import { chmod, readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { PsiError } from '../errors.js';

/**
 * Writes a 32-byte secret key readable by its owner only (0600), atomically.
 * Used for a store's epoch key and an advertiser's relationship key.
 *
 * @example
 * ```ts
 * await writeKeyFile('store/epoch-e1/key', suite.randomKey());
 * ```
 */
export async function writeKeyFile(path: string, key: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, key);
    // writeFileAtomic creates 0600 already; chmod again in case a umask or an existing file said otherwise.
    await chmod(path, 0o600);
  } catch (e) {
    throw new PsiError('STORE_WRITE_FAILED', `cannot write the key file ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Reads a key file written by {@link writeKeyFile}, refusing one other users can
 * read or write (`STORE_KEY_EXPOSED`): whoever reads the key can link every
 * session of its epoch and test identifiers offline against the stored elements.
 *
 * @example
 * ```ts
 * const key = await readKeyFile('store/epoch-e1/key');
 * ```
 */
export async function readKeyFile(path: string): Promise<Uint8Array> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (e) {
    throw new PsiError('STORE_NOT_FOUND', `cannot read the key file ${path}: ${(e as Error).message}`, { cause: e });
  }
  if ((mode & 0o077) !== 0) {
    throw new PsiError(
      'STORE_KEY_EXPOSED',
      `${path} has mode ${(mode & 0o777).toString(8)}: other users can read or change it; chmod 600 it`,
    );
  }
  const key = new Uint8Array(await readFile(path));
  if (key.length !== 32) throw new PsiError('STORE_CORRUPT', `${path} must hold 32 bytes, holds ${key.length}`);
  return key;
}
