import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes the file at `path` so that readers see either the old state or the
 * whole new file, never a part: `write` fills a hidden temporary file in the
 * same directory (mode 0600), which is flushed to disk and then renamed into
 * place. On failure the temporary file is removed and `path` is untouched.
 *
 * @example
 * ```ts
 * await writeAtomically('upload.txt', async (file) => { await file.write('email_sha256\n'); });
 * ```
 */
export async function writeAtomically(path: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // Synced before the rename: a crash after it must not leave a short file under the final name.
    await writeDurably(temp, 'wx', write);
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

/**
 * {@link writeAtomically} for data held in memory.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/summary.json', JSON.stringify(summary));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  return writeAtomically(path, (file) => file.writeFile(data));
}

/**
 * Opens `path` readable and writable by its owner only (`flags` `'wx'`: refused if it
 * exists), lets `write` fill it, and syncs it to disk before closing.
 *
 * @example
 * ```ts
 * await writeDurably('state/lock.new', 'w', (file) => file.writeFile(holder));
 * ```
 */
export async function writeDurably(path: string, flags: 'w' | 'wx', write: (file: FileHandle) => Promise<unknown>): Promise<void> {
  const file = await open(path, flags, 0o600);
  try {
    await write(file);
    await file.sync();
  } finally {
    await file.close();
  }
}
