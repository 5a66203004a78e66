import { pino } from 'pino';

/**
 * How a service writes its log: `text`, one line per event prefixed with its
 * ISO time; `json`, one JSON object per line (pino), for log collectors.
 *
 * @example
 * ```ts
 * const format: LogFormat = 'json';
 * ```
 */
export type LogFormat = 'text' | 'json';

/**
 * A service's log: events of the running service, and free diagnostic text
 * (the startup summary), both written as one record per line.
 *
 * @example
 * ```ts
 * const log = createServiceLog('json', (chunk) => process.stderr.write(chunk));
 * log.event('session 1f6a4304ff9dfe69b7650d6090fef034 (acme) started: 4 client items');
 * ```
 */
export interface ServiceLog {
  /** One event line; `text` prefixes its time. */
  event(line: string): void;
  /** Diagnostic text, one record per line; `text` writes it as it is. */
  write(text: string): void;
}

/** A session named by a line: `session <id>` in the engine's lines, `/sessions/<id>` in a request path. */
const SESSION_ID = /\bsessions?[ /]([0-9a-f]{32})\b/;

function levelOf(line: string): 'error' | 'warn' | 'info' {
  if (line.startsWith('internal error')) return 'error';
  if (line.startsWith('WARNING') || line.includes('does not verify') || line.includes('not reloaded')) return 'warn';
  return 'info';
}

/**
 * Creates a {@link ServiceLog} writing to `sink`. In `json`, each record is
 * `{"level","time","pid","hostname","msg"}` plus `sessionId` when the line
 * names a session, so a collector can follow one session across lines. The
 * lines come from the service, which never puts a token, a key, an
 * identifier or a full URL in them (request paths are cut, without their
 * query: `loggablePath`; docs/deploy.md).
 *
 * @example
 * ```ts
 * const log = createServiceLog('text', (chunk) => process.stderr.write(chunk));
 * log.write('listening\n');
 * ```
 */
export function createServiceLog(format: LogFormat, sink: (chunk: string) => void): ServiceLog {
  if (format === 'text') {
    return { event: (line) => sink(`${new Date().toISOString()} ${line}\n`), write: sink };
  }
  const logger = pino(
    { timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    { write: (chunk: string) => sink(chunk) },
  );
  const record = (line: string) => {
    const sessionId = SESSION_ID.exec(line)?.[1];
    logger[levelOf(line)](sessionId === undefined ? {} : { sessionId }, line);
  };
  return {
    event: record,
    write: (text) => {
      for (const line of text.split('\n')) if (line.trim() !== '') record(line);
    },
  };
}
