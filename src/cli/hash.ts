import { writeHashFile } from '../files/hash-file.js';
import type { Profile } from '../identifiers/types.js';
import { reportRejected } from './input.js';
import type { CliIo } from './io.js';

/**
 * Options of the `hash` command.
 *
 * @example
 * ```ts
 * const opts: HashOptions = { input: 'customers.csv', column: 'email', type: 'email', output: 'upload.txt' };
 * ```
 */
export interface HashOptions {
  input: string;
  column: string;
  type: 'email' | 'phone';
  output: string;
  profile?: Profile;
  defaultCountry?: string;
}

/**
 * Writes the status-quo upload file (normalised identifiers, SHA-256 hex), for
 * comparison with a PSI match; reports refused rows with their line numbers.
 *
 * @example
 * ```ts
 * await hashCommand({ input: 'customers.csv', column: 'email', type: 'email', output: 'upload.txt' }, processIo());
 * ```
 */
export async function hashCommand(opts: HashOptions, io: CliIo): Promise<void> {
  const result = await writeHashFile(opts.input, opts.output, {
    column: opts.column,
    type: opts.type,
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    ...(opts.defaultCountry === undefined ? {} : { defaultCountry: opts.defaultCountry }),
  });
  const { written, duplicates, rejected } = result;
  io.out(`wrote ${written} distinct hashes to ${opts.output} (duplicates left out: ${duplicates}, rows rejected: ${rejected.length})\n`);
  if (rejected.length > 0) {
    io.err(`${opts.input}: rows rejected (not a valid ${opts.type}; not written): ${rejected.length}\n`);
    reportRejected(io, rejected);
  }
}
