import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PsiError } from '../errors.js';
import { readIdentifierColumn, type RejectedRow } from '../identifiers/csv.js';
import type { Profile } from '../identifiers/types.js';
import type { MatchedRow } from '../service/result.js';
import { progressBar, type CliIo } from './io.js';

/**
 * Identifier types the `serve` and `match` commands take: normalised, SHA-256
 * of a normalised identifier (matches the raw form on the other side), or as written.
 */
export const MATCH_TYPES = ['email', 'phone', 'sha256', 'raw'] as const;

/**
 * Which column of which CSV file to match on, and how to normalise it.
 *
 * @example
 * ```ts
 * const spec: InputSpec = { input: 'customers.csv', column: 'email', type: 'email' };
 * ```
 */
export interface InputSpec {
  input: string;
  column: string;
  type: (typeof MATCH_TYPES)[number];
  profile?: Profile;
  defaultCountry?: string;
  /** With `type: 'sha256'`: what was hashed; default `'email'`. */
  hashOf?: 'email' | 'phone';
}

/**
 * A CSV column read for matching: one item per accepted row, with its row kept
 * for reporting matches, and every refused row with its line and reason.
 *
 * @example
 * ```ts
 * const { items, rows, rejected } = await loadInput(spec, io);
 * ```
 */
export interface LoadedInput {
  /** One item per accepted row, duplicates kept so that indices map to rows. */
  items: Uint8Array[];
  rows: MatchedRow[];
  /** Distinct items. */
  distinct: number;
  rowsRead: number;
  duplicates: number;
  rejected: RejectedRow[];
}

/** Rejected rows listed on stderr before the rest is only counted. */
const REJECTS_SHOWN = 10;

/**
 * Lists refused rows on stderr, line and reason, the first few in full.
 *
 * @example
 * ```ts
 * reportRejected(io, [{ line: 7, code: 'EMAIL_INVALID', reason: 'column "email": no @' }]);
 * ```
 */
export function reportRejected(io: CliIo, rejected: readonly RejectedRow[]): void {
  for (const r of rejected.slice(0, REJECTS_SHOWN)) io.err(`  line ${r.line}: ${r.code}: ${r.reason}\n`);
  if (rejected.length > REJECTS_SHOWN) io.err(`  ... and ${rejected.length - REJECTS_SHOWN} more\n`);
}

/**
 * Streams the column out of the CSV (with a progress bar when a person watches)
 * and reports refused rows on stderr with their line numbers.
 *
 * @example
 * ```ts
 * const input = await loadInput({ input: 'users.csv', column: 'email', type: 'email' }, io);
 * ```
 */
export async function loadInput(spec: InputSpec, io: CliIo): Promise<LoadedInput> {
  const size = await stat(spec.input).then(
    (s) => s.size,
    (e: Error) => {
      throw new PsiError('INPUT_UNREADABLE', `cannot read ${spec.input}: ${e.message}`, { cause: e });
    },
  );
  const file = createReadStream(spec.input);
  const bar = progressBar(io, 'reading', 'bytes');
  let read;
  try {
    read = await readIdentifierColumn(file, {
      column: spec.column,
      type: spec.type,
      ...(spec.profile === undefined ? {} : { profile: spec.profile }),
      ...(spec.defaultCountry === undefined ? {} : { defaultCountry: spec.defaultCountry }),
      ...(spec.hashOf === undefined ? {} : { hashOf: spec.hashOf }),
      onProgress: () => bar.update(Math.min(file.bytesRead, size), size),
    });
  } finally {
    bar.stop();
    file.destroy();
  }
  const rows = read.lines.map((line, i) => ({ line, value: read.values[i]! }));
  const { rejected } = read;
  if (rejected.length > 0) {
    io.err(`${spec.input}: ${rejected.length} of ${read.rowsRead} rows rejected (not a valid ${spec.type}; never sent or matched):\n`);
    reportRejected(io, rejected);
  }
  const { items, rowsRead, duplicates } = read;
  return { items, rows, distinct: items.length - duplicates, rowsRead, duplicates, rejected };
}
