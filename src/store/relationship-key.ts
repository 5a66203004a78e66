import { randomBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';
import { readKeyFile, writeKeyFile } from './key-file.js';

/**
 * The advertiser's relationship key seed, kept in `path` (`match --key-file`):
 * read if the file exists (refused if other users can read it,
 * `STORE_KEY_EXPOSED`), else 32 random bytes written there with mode 0600. The
 * seed never leaves the machine; the session key derives from it.
 *
 * @example
 * ```ts
 * const keySeed = await relationshipKey('/home/me/.blindjoin/platform-x.key');
 * await matchOverHttp({ server, items, relationship: { id: 'crm', keySeed } });
 * ```
 */
export async function relationshipKey(path: string): Promise<Uint8Array> {
  try {
    return await readKeyFile(path);
  } catch (e) {
    if (!(e instanceof PsiError && e.code === 'STORE_NOT_FOUND')) throw e;
  }
  const seed = randomBytes(32);
  await writeKeyFile(path, seed);
  return seed;
}
