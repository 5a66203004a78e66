import { createHash } from 'node:crypto';
import { appendFile, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeFileAtomic } from '../../atomic-file.js';
import { PsiError } from '../../errors.js';
import { csvField } from '../result.js';
import { makeDirectory } from '../result-files.js';
import type { Audience } from './model.js';
import { audienceFileName, decodeAudienceName } from '../../wire/audience.js';
import { RetainedAudiences, type AudienceRecords, type AudienceStore } from './store.js';

/** The audience without its members, and the SHA-256 of the members file it belongs to. */
type AudienceMeta = Omit<Audience, 'members'> & { membersSha256: string };

/** What `audience-meta/` keeps: the new version first, and the one before it until the members file is replaced. */
interface MetaFile {
  format: 'blindjoin-audience';
  versions: AudienceMeta[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Options of {@link fileAudienceRecords}.
 *
 * @example
 * ```ts
 * const options: FileAudienceOptions = { retentionMs: 540 * 86_400_000 };
 * ```
 */
export interface FileAudienceOptions {
  /** Delete an audience not refreshed within this many ms; default never. */
  retentionMs?: number;
  /** Writes one file atomically (default `writeFileAtomic`); a test injects failures here. */
  writeFile?: (path: string, data: string) => Promise<void>;
}

function membersCsv(audience: Audience): string {
  const line = (cells: readonly string[]) => `${cells.map(csvField).join(',')}\n`;
  return line(audience.columns) + audience.members.map(line).join('');
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** The name a file name encodes, or none for a file this store did not write (temporary files start with `.`). */
function decodedOrNone(file: string): string[] {
  if (file.startsWith('.') || audienceFileName(safeDecode(file)) !== file) return [];
  return [decodeAudienceName(file)];
}

function safeDecode(file: string): string {
  try {
    return decodeURIComponent(file);
  } catch {
    return '';
  }
}

const failed = (what: string, e: unknown) => new PsiError('AUDIENCE_WRITE_FAILED', `cannot ${what}: ${(e as Error).message}`, { cause: e });

/**
 * {@link AudienceRecords} as files under a results directory `out`, for the
 * platform's ad server:
 * - `audiences/<token id>/<name>.csv`: the members, a header of the `--emit`
 *   columns and one line per user, replaced atomically;
 * - `audience-meta/<token id>/<name>.json`: created and updated times, the last
 *   released figure and the history (counts only);
 * - `audiences.jsonl`: the append-only change log.
 *
 * `<name>` and `<token id>` are encoded by `audienceFileName` (percent-encoding
 * of every byte outside `[A-Za-z0-9._-]`). Each file is replaced atomically,
 * the metadata first (keeping the previous version) and then the members file,
 * the commit point: a failure or crash at any step leaves the old audience.
 *
 * @example
 * ```ts
 * const records = fileAudienceRecords('results');
 * ```
 */
export function fileAudienceRecords(out: string, options: Pick<FileAudienceOptions, 'writeFile'> = {}): AudienceRecords {
  const write = options.writeFile ?? writeFileAtomic;
  const membersDir = (tokenId: string) => join(out, 'audiences', audienceFileName(tokenId));
  const metaDir = (tokenId: string) => join(out, 'audience-meta', audienceFileName(tokenId));
  const membersPath = (tokenId: string, name: string) => join(membersDir(tokenId), `${audienceFileName(name)}.csv`);
  const metaPath = (tokenId: string, name: string) => join(metaDir(tokenId), `${audienceFileName(name)}.json`);
  return {
    async load(tokenId, name) {
      const [meta, members] = await Promise.all([readIfPresent(metaPath(tokenId, name)), readIfPresent(membersPath(tokenId, name))]);
      if (meta === undefined || members === undefined) return undefined;
      // The members file is the commit point: the version of the metadata written for it is the audience.
      const digest = sha256(members);
      let found: AudienceMeta | undefined;
      let rows: string[][];
      try {
        found = (JSON.parse(meta) as MetaFile).versions.find((v) => v.membersSha256 === digest);
        const records: string[][] = parse(members, { relax_column_count: true });
        rows = records.slice(1);
      } catch (e) {
        throw new PsiError('AUDIENCE_CORRUPT', `the audience files of ${metaPath(tokenId, name)} cannot be read`, { cause: e });
      }
      if (found === undefined) throw new PsiError('AUDIENCE_CORRUPT', `${membersPath(tokenId, name)} matches no version of its metadata`);
      const { membersSha256: _digest, ...rest } = found;
      return { ...rest, members: rows };
    },
    async save(audience) {
      const { members: _members, ...rest } = audience;
      const csv = membersCsv(audience);
      const path = metaPath(audience.tokenId, audience.name);
      try {
        await makeDirectory(membersDir(audience.tokenId));
        await makeDirectory(metaDir(audience.tokenId));
        const old = await readIfPresent(path);
        const previous = old === undefined ? [] : (JSON.parse(old) as MetaFile).versions.slice(0, 1);
        const file: MetaFile = { format: 'blindjoin-audience', versions: [{ ...rest, membersSha256: sha256(csv) }, ...previous] };
        // Metadata first (holding the old version too), then the members file: a failure at either leaves the old audience.
        await write(path, `${JSON.stringify(file, null, 2)}\n`);
        await write(membersPath(audience.tokenId, audience.name), csv);
      } catch (e) {
        throw failed(`write the audience ${membersPath(audience.tokenId, audience.name)}`, e);
      }
    },
    async remove(tokenId, name) {
      try {
        // The members first (the commit point): an ad server must never target a deleted audience.
        await unlink(membersPath(tokenId, name)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
        await unlink(metaPath(tokenId, name)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
      } catch (e) {
        throw failed(`delete the audience ${membersPath(tokenId, name)}`, e);
      }
    },
    async names(tokenId) {
      const files = await entries(metaDir(tokenId));
      return files.filter((f) => f.endsWith('.json')).flatMap((f) => decodedOrNone(f.slice(0, -'.json'.length)));
    },
    async tokens() {
      return (await entries(join(out, 'audience-meta'))).flatMap(decodedOrNone);
    },
    async log(entry) {
      try {
        await appendFile(join(out, 'audiences.jsonl'), `${JSON.stringify(entry)}\n`);
      } catch (e) {
        throw failed('append to audiences.jsonl', e);
      }
    },
  };
}

/**
 * The file {@link AudienceStore} of a service writing results to `out` (see
 * {@link fileAudienceRecords} for the files).
 *
 * @example
 * ```ts
 * const audiences = fileAudienceStore('results', { retentionMs: 540 * 86_400_000 });
 * await audiences.expire();
 * ```
 */
export function fileAudienceStore(out: string, options: FileAudienceOptions = {}): AudienceStore {
  return new RetainedAudiences(fileAudienceRecords(out, options), options);
}
