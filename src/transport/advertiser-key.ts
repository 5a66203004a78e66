import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeDurably } from '../atomic-file.js';
import { PsiError } from '../errors.js';

const SECRET_BYTES = 32;

/**
 * The directory holding the advertiser's key files: `$BLINDJOIN_CONFIG_DIR`,
 * else `$XDG_CONFIG_HOME/blindjoin`, else `~/.config/blindjoin`.
 *
 * @example
 * ```ts
 * configDir({ XDG_CONFIG_HOME: '/home/ann/.config' }); // '/home/ann/.config/blindjoin'
 * ```
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['BLINDJOIN_CONFIG_DIR']) return env['BLINDJOIN_CONFIG_DIR'];
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'blindjoin');
}

/**
 * Where `match` keeps its secret for the service at `server` unless `--key-file`
 * names another: one file per service origin (scheme, host and port), so that
 * two platforms never see keys derived from one secret.
 *
 * @example
 * ```ts
 * defaultKeyFile('https://psi.platform.example/v1'); // ~/.config/blindjoin/keys/https_psi.platform.example_443.key
 * ```
 */
export function defaultKeyFile(server: string, env: NodeJS.ProcessEnv = process.env): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch (e) {
    throw new PsiError('SERVER_URL_INVALID', `not a URL: ${JSON.stringify(server)}`, { cause: e });
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const name = `${url.protocol.replace(':', '')}_${url.hostname}_${port}`.replace(/[^A-Za-z0-9.-]/g, '_');
  return join(configDir(env), 'keys', `${name}.key`);
}

/**
 * The advertiser's secret kept in `path`: read when the file exists, else 32
 * random bytes written there (mode 0600, its directory 0700, never replacing a
 * file that appeared meanwhile). A file other users can read or change is
 * refused (`KEY_FILE_EXPOSED`): whoever reads the secret can recompute the key
 * of any list and test guesses of its unmatched items offline. The secret never
 * leaves the machine; sessions derive their keys from it.
 *
 * @example
 * ```ts
 * const keySeed = await advertiserSecret(defaultKeyFile(server));
 * await matchOverHttp({ server, items, keySeed });
 * ```
 */
export async function advertiserSecret(path: string): Promise<Uint8Array> {
  const existing = await readSecret(path);
  if (existing !== undefined) return existing;
  const secret = new Uint8Array(randomBytes(SECRET_BYTES));
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeDurably(path, 'wx', (file) => file.writeFile(secret));
    await chmod(path, 0o600);
  } catch (e) {
    // Another match created it first: use that one, so both agree on one secret.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return (await readSecret(path))!;
    throw new PsiError('KEY_FILE_INVALID', `cannot create the key file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return secret;
}

async function readSecret(path: string): Promise<Uint8Array | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PsiError('KEY_FILE_INVALID', `cannot read the key file ${path}: ${(e as Error).message}`, { cause: e });
  }
  if ((mode & 0o077) !== 0) {
    throw new PsiError(
      'KEY_FILE_EXPOSED',
      `${path} has mode ${(mode & 0o777).toString(8)}: other users can read or change it; chmod 600 it`,
    );
  }
  const secret = new Uint8Array(await readFile(path));
  if (secret.length !== SECRET_BYTES)
    throw new PsiError('KEY_FILE_INVALID', `${path} must hold ${SECRET_BYTES} bytes, holds ${secret.length}`);
  return secret;
}
