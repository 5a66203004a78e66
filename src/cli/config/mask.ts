import type { Setting } from './settings.js';

/** Query parameters that carry credentials in database and queue URLs (libpq's `password`, and the like). */
const SECRET_PARAMS = ['password', 'pass', 'secret', 'token', 'sslpassword'];

/**
 * A secret setting as it may be shown: a URL keeps its scheme, user, host,
 * port, path and harmless parameters, with its password and credential
 * parameters replaced by `***`; anything else is `***` whole.
 *
 * @example
 * ```ts
 * maskSecret('postgres://blindjoin:hunter2@db:5432/blindjoin'); // 'postgres://blindjoin:***@db:5432/blindjoin'
 * ```
 */
export function maskSecret(value: unknown): string {
  if (typeof value !== 'string') return '***';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '***';
  }
  if (url.password !== '') url.password = '***';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.includes(name.toLowerCase())) url.searchParams.set(name, '***');
  }
  return url.href;
}

/**
 * The resolved config as `--print-config` shows it: every setting, in the
 * command's order, unset ones as `null`, secrets masked by {@link maskSecret}.
 * The tokens file appears as its path: its content is never read into a config.
 *
 * @example
 * ```ts
 * JSON.stringify(printableConfig(settingsOf(serve), config.values), null, 2);
 * ```
 */
export function printableConfig(settings: readonly Setting[], values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    settings.map(({ key, secret }) => {
      const value = values[key];
      return [key, value === undefined ? null : secret ? maskSecret(value) : value];
    }),
  );
}
