import { createServiceLog, type LogFormat } from '../service/log.js';
import type { CliIo } from './io.js';

/**
 * `io` writing its diagnostics in `format` (`--log-format`): unchanged in
 * `text`; in `json`, every line on stderr becomes a JSON record and progress
 * bars are off. Results on stdout (`listening on URL`) stay as they are.
 *
 * @example
 * ```ts
 * io = loggingIo(io, opts.logFormat ?? 'text');
 * ```
 */
export function loggingIo(io: CliIo, format: LogFormat): CliIo {
  const log = createServiceLog(format, (chunk) => io.err(chunk));
  return format === 'text' ? { ...io, log: log.event } : { ...io, err: log.write, log: log.event, tty: false };
}

/**
 * The event log of a long-running command: `io.log`, else a timestamped line on stderr.
 *
 * @example
 * ```ts
 * const log = eventLog(io);
 * log('session 1f6a4304ff9dfe69b7650d6090fef034 (acme) started: 4 client items');
 * ```
 */
export function eventLog(io: CliIo): (line: string) => void {
  return io.log ?? createServiceLog('text', (chunk) => io.err(chunk)).event;
}
