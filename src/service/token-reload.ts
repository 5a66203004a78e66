import { PsiError } from '../errors.js';
import { loadTokensFile, type TokenTable } from './tokens.js';

/**
 * A {@link TokenTable} read from a file that can be read again while the
 * service runs (`blindjoin serve` does on SIGHUP).
 *
 * @example
 * ```ts
 * const tokens = reloadableTokens('/etc/blindjoin/tokens', await loadTokensFile('/etc/blindjoin/tokens'), console.error);
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
 * Wraps the table read from the tokens file at `path` (by `loadTokensFile`) in
 * a {@link ReloadableTokens}; `log` receives one line per reload, naming the
 * file and the number of tokens, or the error (which names a line, never a token).
 *
 * @example
 * ```ts
 * const tokens = reloadableTokens('tokens', await loadTokensFile('tokens'), (line) => console.error(line));
 * createPsiHandler(service, { tokens });
 * ```
 */
export function reloadableTokens(path: string, loaded: TokenTable, log: (line: string) => void): ReloadableTokens {
  let table = loaded;
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
