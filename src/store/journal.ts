import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { readFile, readdir } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { PsiError } from '../errors.js';
import type { GroupName } from '../group/suite.js';
import { protocolSuite } from '../protocol/suite.js';
import { readKeyFile, writeKeyFile } from './key-file.js';
import { storePaths, type StorePaths } from './layout.js';
import { readManifest, readStoreJson, STORE_FORMAT, type SegmentEntry } from './manifest.js';

/**
 * What `journal.json` records while an epoch is prepared: enough to resume
 * it, and to refuse another input.
 *
 * @example
 * ```ts
 * const { journal } = await openJournal(paths, 'e1', 'x25519', 65_536);
 * journal.segments[3]; // the entry of segment 3 once written and verified, else null
 * ```
 */
export interface Journal {
  format: typeof STORE_FORMAT;
  group: GroupName;
  epoch: string;
  createdAt: string;
  /** SHA-256 of the input's records in input order, once read whole: a resume must see the same input. */
  input?: string;
  /** Seed of the stored order (buckets and shuffles), so that a resumed run puts every element where the first run did. */
  orderSeed: string;
  segmentItems: number;
  /** Entry of each segment written and verified; null for one not yet (workers finish out of order). */
  segments: (SegmentEntry | null)[];
}

/**
 * Writes a store's JSON file atomically (`STORE_WRITE_FAILED` otherwise).
 *
 * @example
 * ```ts
 * await writeJson(paths.journal, journal);
 * ```
 */
export async function writeJson(path: string, value: unknown): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(value)}\n`);
  } catch (e) {
    throw new PsiError('STORE_WRITE_FAILED', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * An epoch of `dir` still being prepared (a journal, no manifest), if exactly one.
 *
 * @example
 * ```ts
 * const label = (await pendingEpoch('store')) ?? utcLabel(new Date());
 * ```
 */
export async function pendingEpoch(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const pending: string[] = [];
  for (const name of names.filter((n) => n.startsWith('epoch-'))) {
    const label = name.slice('epoch-'.length);
    const paths = storePaths(dir, label);
    if (
      (await readFile(paths.journal).then(
        () => true,
        () => false,
      )) &&
      (await readManifest(paths.manifest)) === undefined
    )
      pending.push(label);
  }
  return pending.length === 1 ? pending[0] : undefined;
}

/**
 * The journal to continue and its key, or a fresh journal with a new key
 * (written before the input is read, so that the order seed is fixed);
 * refuses a journal of another suite, segment size or label.
 *
 * @example
 * ```ts
 * const { journal, key } = await openJournal(storePaths('store', 'e1'), 'e1', 'x25519', 65_536);
 * ```
 */
export async function openJournal(
  paths: StorePaths,
  label: string,
  group: GroupName,
  segmentItems: number,
): Promise<{ journal: Journal; key: Uint8Array }> {
  const journal = (await readStoreJson(paths.journal, '; delete the epoch directory to start it again')) as Journal | undefined;
  if (journal !== undefined) {
    if (journal.group !== group || journal.segmentItems !== segmentItems || journal.epoch !== label) {
      throw new PsiError(
        'STORE_EPOCH_MISMATCH',
        `epoch ${label} was started with another group or segment size; finish it with the same ones or delete ${paths.epochDir}`,
      );
    }
    return { journal, key: await readKeyFile(paths.key) };
  }
  const key = protocolSuite(group).randomKey();
  await writeKeyFile(paths.key, key);
  const fresh: Journal = {
    format: STORE_FORMAT,
    group,
    epoch: label,
    createdAt: new Date().toISOString(),
    orderSeed: bytesToHex(randomBytes(32)),
    segmentItems,
    segments: [],
  };
  await writeJson(paths.journal, fresh);
  return { journal: fresh, key };
}

/**
 * Records the input's digest in the journal, or refuses an input other than
 * the one the epoch was started with (`STORE_EPOCH_MISMATCH`).
 *
 * @example
 * ```ts
 * await settleInput(paths, journal, parts.digest);
 * ```
 */
export async function settleInput(paths: StorePaths, journal: Journal, digest: string): Promise<void> {
  if (journal.input === undefined) {
    journal.input = digest;
    await writeJson(paths.journal, journal);
  } else if (journal.input !== digest) {
    throw new PsiError(
      'STORE_EPOCH_MISMATCH',
      `epoch ${journal.epoch} was started with another input; finish it with the same one or delete ${paths.epochDir}`,
    );
  }
}
