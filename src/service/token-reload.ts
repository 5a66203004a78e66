import { PsiError } from '../errors.js';
import { loadTokensFile, type TokenTable } from './tokens.js';

/**
 * A {@link TokenTable} read from a file that can be read again while the
 * service runs (`blindjoin serve` does on SIGHUP).
 *
 * @example
 * ```ts
 * const tokens = await reloadableTokensFile('/etc/blindjoin/tokens', console.error);
 * process.on('SIGHUP', () => void tokens.reload());
 * ```
 */
export interface ReloadableTokens extends TokenTable {
  /**
   * Reads the file again and, if it parses, answers every later request from
   * it: a removed token's next request gets 401, so its sessions end there.
   * A file that cannot be read or parsed leaves the table in use as it was
   * and is logged; never rejects.
   */
  reload(): Promise<void>;
}

/**
 * Reads a tokens file (failing as `loadTokensFile` does) into a
 * {@link ReloadableTokens}; `log` receives one line per reload, naming the
 * file and the number of tokens, or the error (which names a line, never a token).
 *
 * @example
 * ```ts
 * const tokens = await reloadableTokensFile('tokens', (line) => console.error(line));
 * createPsiHandler({ items, tokens });
 * ```
 */
export async function reloadableTokensFile(path: string, log: (line: string) => void): Promise<ReloadableTokens> {
  let table = await loadTokensFile(path);
  return {
    get size() {
      return table.size;
    },
    authenticate: (authorization) => table.authenticate(authorization),
    async reload() {
      try {
        table = await loadTokensFile(path);
        log(`tokens reloaded from ${path}: ${table.size} tokens`);
      } catch (e) {
        const why = e instanceof PsiError ? `${e.code}: ${e.message}` : String(e);
        log(`tokens file ${path} not reloaded, still using the ${table.size} tokens loaded before: ${why}`);
      }
    },
  };
}
