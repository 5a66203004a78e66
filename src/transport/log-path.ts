/** Longest path a log line shows; the rest is cut and marked. */
export const LOG_PATH_CHARS = 120;

/**
 * The part of a request URL a log line may show: the path only (a query string
 * may carry anything a client chose), with characters outside printable ASCII
 * escaped and cut to {@link LOG_PATH_CHARS}, so that an unauthenticated client
 * can neither flood the log nor forge lines in it.
 *
 * @example
 * ```ts
 * loggablePath('/v1/sessions?token=abc'); // '/v1/sessions'
 * loggablePath('/' + 'a'.repeat(10_000)); // '/aaaa…' (120 characters, then '…')
 * ```
 */
export function loggablePath(url: string | undefined): string {
  const path = (url ?? '').split(/[?#]/, 1)[0]!;
  const head = path.slice(0, LOG_PATH_CHARS + 1);
  const clean = head.replace(/[^\x21-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > LOG_PATH_CHARS || path.length > LOG_PATH_CHARS ? `${clean.slice(0, LOG_PATH_CHARS)}…` : clean;
}
