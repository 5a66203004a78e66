import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeAtomically } from '../atomic-file.js';
import { raggedReason, planColumns, planColumnsRead, type ColumnPlan, type RejectedRow } from './csv.js';
import { csvRows } from './csv-rows.js';
import { IdentifierError } from './errors.js';
import { hashIdentifier, type HashEncoding } from './hash.js';
import { checkType } from './checks.js';
import { normalizeWith } from './normalize.js';
import type { IdentifierType, Profile } from './types.js';

/**
 * Options of {@link writeHashFile}.
 *
 * @example
 * ```ts
 * const opts: HashFileOptions = { column: 'email', type: 'email', profile: 'uid2', encoding: 'base64' };
 * ```
 */
export interface HashFileOptions {
  column: string;
  type: IdentifierType;
  profile?: Profile;
  defaultCountry?: string;
  encoding?: HashEncoding;
}

/**
 * What {@link writeHashFile} did: distinct hashes written, rows whose hash
 * was already written (left out), and every row that could not be hashed.
 *
 * @example
 * ```ts
 * const r: HashFileResult = { written: 980, duplicates: 12, rejected: [] };
 * ```
 */
export interface HashFileResult {
  written: number;
  duplicates: number;
  rejected: RejectedRow[];
}

/** Lines collected into writes of about 64 KiB, so that a large file costs few system calls. */
class LineWriter {
  private pending: string[] = [];
  private size = 0;

  constructor(private readonly file: FileHandle) {}

  async line(text: string): Promise<void> {
    this.pending.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    if (text !== '') await this.file.write(text);
  }
}

async function writeHashes(input: string, out: LineWriter, opts: HashFileOptions): Promise<HashFileResult> {
  const result: HashFileResult = { written: 0, duplicates: 0, rejected: [] };
  const seen = new Set<string>();
  const read = planColumnsRead({ column: opts.column, type: opts.type, profile: opts.profile, defaultCountry: opts.defaultCountry });
  // Every cell is normalised as this type: 'sha256' and 'raw', which a column read takes, are not identifier types.
  const type = checkType(opts.type);
  let plan: ColumnPlan | undefined;
  for await (const row of csvRows(input)) {
    if (plan === undefined && row.error === undefined) {
      plan = planColumns(row.cells, read);
      await out.line(`${type}_sha256`);
      continue;
    }
    plan ??= planColumns(undefined, read);
    const ragged = raggedReason(plan, row);
    if (ragged !== null) {
      result.rejected.push(ragged);
      continue;
    }
    const cell = row.cells[plan.columns[0]!.index]!;
    let hash: string;
    try {
      if (cell.includes('\uFFFD')) throw new IdentifierError('ENCODING_INVALID', 'is not valid UTF-8');
      hash = hashIdentifier(normalizeWith(cell, type, read.rules), { encoding: opts.encoding });
    } catch (e) {
      if (!(e instanceof IdentifierError)) throw e;
      result.rejected.push({ line: row.line, code: e.code, reason: `column ${JSON.stringify(opts.column)}: ${e.message}` });
      continue;
    }
    if (seen.has(hash)) {
      result.duplicates++;
      continue;
    }
    seen.add(hash);
    await out.line(hash);
    result.written++;
  }
  if (plan === undefined) planColumns(undefined, read);
  return result;
}

/**
 * Writes the status-quo upload file an ad platform takes: a header line
 * `<type>_sha256` (e.g. `email_sha256`), then one SHA-256 per line (hex, or
 * Base64 for UID2) of each distinct normalised identifier in the column, in
 * file order. The CSV is streamed, and the output is written to a temporary
 * file in the same directory and renamed into place, so `output` is either
 * the complete file or untouched. This is the baseline blindjoin replaces:
 * see docs/why-not-hashing.md for how quickly such a file is reversed.
 *
 * @example
 * ```ts
 * const r = await writeHashFile('crm.csv', 'upload.txt', { column: 'email', type: 'email' });
 * console.log(`${r.written} hashes, ${r.rejected.length} rows rejected`);
 * ```
 */
export async function writeHashFile(input: string, output: string, opts: HashFileOptions): Promise<HashFileResult> {
  if (typeof input !== 'string' || typeof output !== 'string' || output === '') {
    throw new IdentifierError('CSV_OPTIONS_INVALID', 'input and output must be file paths');
  }
  if (resolve(input) === resolve(output)) throw new IdentifierError('CSV_OPTIONS_INVALID', 'output must not be the input file');
  try {
    let result: HashFileResult | undefined;
    await writeAtomically(output, async (file) => {
      const out = new LineWriter(file);
      result = await writeHashes(input, out, opts);
      await out.flush();
    });
    return result!;
  } catch (e) {
    if (e instanceof IdentifierError) throw e;
    throw new IdentifierError('HASH_FILE_FAILED', `cannot write ${output}: ${(e as Error).message}`, { cause: e });
  }
}
