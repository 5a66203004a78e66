import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The default state directory of a service, the same whatever the working
 * directory: `$BLINDJOIN_STATE_DIR`, else `$XDG_STATE_HOME/blindjoin` (the XDG
 * Base Directory Specification's place for state that outlives a restart), else
 * `~/.local/state/blindjoin`. A relative `$BLINDJOIN_STATE_DIR` is resolved
 * against the working directory once, here; a relative `$XDG_STATE_HOME` is
 * ignored, as the specification requires.
 *
 * @example
 * ```ts
 * defaultStateDir({ HOME: '/home/ann' }); // '/home/ann/.local/state/blindjoin' (with os.homedir() of /home/ann)
 * defaultStateDir({ BLINDJOIN_STATE_DIR: '/var/lib/blindjoin' }); // '/var/lib/blindjoin'
 * ```
 */
export function defaultStateDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const own = env.BLINDJOIN_STATE_DIR;
  if (own !== undefined && own !== '') return resolve(own);
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'blindjoin');
  return join(homedir(), '.local', 'state', 'blindjoin');
}
