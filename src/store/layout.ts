import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { PsiError } from '../errors.js';

/**
 * Where each file of a store lives. A store is one directory:
 *
 * - `current`: the label of the epoch being served (one line), replaced by a rename;
 * - `epoch-<label>/`: one key epoch: `key` (mode 0600), `manifest.json`, while it
 *   is being prepared `journal.json`, and per segment `seg-<n>.<gen>.el` (packed
 *   elements) and `seg-<n>.<gen>.rows` (its row map).
 *
 * @example
 * ```ts
 * storePaths('/var/lib/blindjoin/store', '2026-12').manifest; // '/var/lib/blindjoin/store/epoch-2026-12/manifest.json'
 * ```
 */
export interface StorePaths {
  epochDir: string;
  key: string;
  manifest: string;
  journal: string;
  /** The element file of segment `index`, generation `gen` (an update writes a new generation, never over a served one). */
  elements(index: number, gen: number): string;
  rows(index: number, gen: number): string;
}

const EPOCH_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Throws `OPTIONS_INVALID` unless `label` is 1-64 letters, digits, `.`, `_`, `-` (it names a directory).
 *
 * @example
 * ```ts
 * checkEpochLabel('2026-12'); // fine
 * ```
 */
export function checkEpochLabel(label: string): string {
  if (typeof label !== 'string' || !EPOCH_LABEL.test(label)) {
    throw new PsiError('OPTIONS_INVALID', `epoch label ${JSON.stringify(label)} must be 1-64 letters, digits, '.', '_' or '-'`);
  }
  return label;
}

/**
 * The paths of epoch `label` in the store `dir`.
 *
 * @example
 * ```ts
 * const paths = storePaths('store', 'e1');
 * ```
 */
export function storePaths(dir: string, label: string): StorePaths {
  const epochDir = join(dir, `epoch-${checkEpochLabel(label)}`);
  const name = (index: number, gen: number, ext: string) => join(epochDir, `seg-${String(index).padStart(6, '0')}.${gen}.${ext}`);
  return {
    epochDir,
    key: join(epochDir, 'key'),
    manifest: join(epochDir, 'manifest.json'),
    journal: join(epochDir, 'journal.json'),
    elements: (index, gen) => name(index, gen, 'el'),
    rows: (index, gen) => name(index, gen, 'rows'),
  };
}

/**
 * The label of the epoch `dir` serves, or undefined for a store never completed.
 *
 * @example
 * ```ts
 * const label = await currentEpoch('store'); // '2026-12'
 * ```
 */
export async function currentEpoch(dir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'current'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PsiError('STORE_NOT_FOUND', `cannot read ${join(dir, 'current')}: ${(e as Error).message}`, { cause: e });
  }
  const label = text.trim();
  if (!EPOCH_LABEL.test(label)) throw new PsiError('STORE_CORRUPT', `${join(dir, 'current')} does not name an epoch`);
  return label;
}

/**
 * Points `dir` at epoch `label`: a sessions opened afterwards use it, the ones in
 * progress keep the epoch they opened. Written beside and renamed over, so a
 * reader sees the old label or the new one, never a mix.
 *
 * @example
 * ```ts
 * await switchEpoch('store', '2027-01');
 * ```
 */
export async function switchEpoch(dir: string, label: string): Promise<void> {
  const staged = join(dir, '.current.next');
  try {
    await writeFileAtomic(staged, `${checkEpochLabel(label)}\n`);
    await rename(staged, join(dir, 'current'));
  } catch (e) {
    if (e instanceof PsiError) throw e;
    throw new PsiError('STORE_WRITE_FAILED', `cannot switch ${dir} to epoch ${label}: ${(e as Error).message}`, { cause: e });
  }
}
