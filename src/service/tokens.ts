import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PsiError } from '../errors.js';

/**
 * One advertiser allowed to call the service: a name that appears in logs and
 * result summaries, and an optional daily item quota.
 *
 * @example
 * ```ts
 * const acme: TokenEntry = { id: 'acme', itemsPerDay: 5_000_000 };
 * ```
 */
export interface TokenEntry {
  /** Public name of the token holder; never the token itself. */
  id: string;
  /** Items this holder may submit per UTC day; `undefined` uses the service default. */
  itemsPerDay?: number;
}

/**
 * The bearer tokens a service accepts, held as SHA-256 digests so that a heap
 * dump or a log line never shows a usable token.
 *
 * @example
 * ```ts
 * const tokens = parseTokens('acme 3b1f0c2e9d8a7f6e5d4c3b2a19080706 1000000\n');
 * tokens.authenticate('Bearer 3b1f0c2e9d8a7f6e5d4c3b2a19080706'); // { id: 'acme', itemsPerDay: 1000000 }
 * ```
 */
export interface TokenTable {
  /** Number of tokens. */
  readonly size: number;
  /** The entry of the bearer token in an `Authorization` header value, or `undefined`. */
  authenticate(authorization: string | undefined): TokenEntry | undefined;
}

/** Shortest token accepted: 128 bits as hex, so tokens cannot be guessed. */
export const MIN_TOKEN_CHARS = 32;

const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Parses a tokens file: one advertiser per line, `ID TOKEN [ITEMS_PER_DAY]`
 * separated by whitespace; blank lines and lines starting with `#` are ignored.
 * Throws `PsiError('TOKENS_INVALID')` naming the line of any malformed entry,
 * short token, or repeated id or token.
 *
 * @example
 * ```ts
 * const tokens = parseTokens('# id token items-per-day\nacme 0123456789abcdef0123456789abcdef 1000000\n');
 * tokens.size; // 1
 * ```
 */
export function parseTokens(text: string): TokenTable {
  const byDigest = new Map<string, TokenEntry>();
  const ids = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `tokens line ${i + 1}`;
    const fields = line.split(/\s+/);
    const [id, token, quota] = fields;
    if (fields.length > 3 || id === undefined || token === undefined) {
      throw new PsiError('TOKENS_INVALID', `${where}: expected "ID TOKEN [ITEMS_PER_DAY]"`);
    }
    if (!ID_PATTERN.test(id)) throw new PsiError('TOKENS_INVALID', `${where}: id must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (token.length < MIN_TOKEN_CHARS || !TOKEN_PATTERN.test(token)) {
      throw new PsiError('TOKENS_INVALID', `${where}: token must be at least ${MIN_TOKEN_CHARS} printable characters`);
    }
    if (ids.has(id)) throw new PsiError('TOKENS_INVALID', `${where}: id ${id} appears twice`);
    const key = digest(token);
    if (byDigest.has(key)) throw new PsiError('TOKENS_INVALID', `${where}: token of ${id} is already used`);
    const entry: TokenEntry = { id };
    if (quota !== undefined) {
      if (!/^\d+$/.test(quota) || !Number.isSafeInteger(Number(quota))) {
        throw new PsiError('TOKENS_INVALID', `${where}: items per day must be a whole number`);
      }
      entry.itemsPerDay = Number(quota);
    }
    ids.add(id);
    byDigest.set(key, entry);
  });
  return {
    size: byDigest.size,
    authenticate(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      return match ? byDigest.get(digest(match[1]!)) : undefined;
    },
  };
}

/**
 * Reads and parses a tokens file (see {@link parseTokens}).
 *
 * @example
 * ```ts
 * const tokens = await loadTokensFile('/etc/blindjoin/tokens');
 * ```
 */
export async function loadTokensFile(path: string): Promise<TokenTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PsiError('TOKENS_UNREADABLE', `cannot read tokens file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseTokens(text);
}
