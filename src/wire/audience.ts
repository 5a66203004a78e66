import { PsiError } from '../errors.js';
import type { Released } from './figure.js';

/**
 * Longest audience name, in characters (code points).
 *
 * @example
 * ```ts
 * [...name].length <= MAX_AUDIENCE_NAME; // true for every valid name
 * ```
 */
export const MAX_AUDIENCE_NAME = 100;

/**
 * What a session does to its audience: `replace` its members with the users
 * that matched (creating it if absent), `add` them, or `remove` them.
 *
 * @example
 * ```ts
 * const mode: AudienceMode = 'add';
 * ```
 */
export type AudienceMode = 'replace' | 'add' | 'remove';

/**
 * Every {@link AudienceMode}, the default first.
 *
 * @example
 * ```ts
 * new Option('--audience-mode <mode>').choices(AUDIENCE_MODES);
 * ```
 */
export const AUDIENCE_MODES: readonly AudienceMode[] = ['replace', 'add', 'remove'];

/**
 * The audience a session updates: its name and what to do with the matched users.
 *
 * @example
 * ```ts
 * const target: AudienceTarget = { name: 'Spring buyers', mode: 'replace' };
 * ```
 */
export interface AudienceTarget {
  name: string;
  mode: AudienceMode;
}

// Control (Cc), format (Cf), surrogate (Cs), unassigned (Cn) and private-use (Co) characters, and line/paragraph separators.
const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/**
 * Checks an audience name: 1-100 printable characters (no control, format or
 * unassigned characters). Throws `AUDIENCE_NAME_INVALID` otherwise.
 *
 * @example
 * ```ts
 * checkAudienceName('Spring buyers'); // 'Spring buyers'
 * checkAudienceName('a\nb');          // throws AUDIENCE_NAME_INVALID
 * ```
 */
export function checkAudienceName(name: unknown): string {
  if (typeof name !== 'string') throw new PsiError('AUDIENCE_NAME_INVALID', 'an audience name must be a string');
  const length = [...name].length;
  if (length < 1 || length > MAX_AUDIENCE_NAME || UNPRINTABLE.test(name)) {
    throw new PsiError('AUDIENCE_NAME_INVALID', `an audience name is 1-${MAX_AUDIENCE_NAME} printable characters`);
  }
  return name;
}

/**
 * Checks an audience mode; throws `AUDIENCE_MODE_INVALID` for anything but
 * `replace`, `add` or `remove`.
 *
 * @example
 * ```ts
 * parseAudienceMode('remove'); // 'remove'
 * ```
 */
export function parseAudienceMode(mode: unknown): AudienceMode {
  if (!AUDIENCE_MODES.includes(mode as AudienceMode)) {
    throw new PsiError('AUDIENCE_MODE_INVALID', `an audience mode is one of ${AUDIENCE_MODES.join(', ')}`);
  }
  return mode as AudienceMode;
}

/**
 * Decodes a percent-encoded audience name (an HTTP header or a path segment)
 * and checks it; `AUDIENCE_NAME_INVALID` when it is not valid UTF-8 or not a name.
 *
 * @example
 * ```ts
 * decodeAudienceName('Spring%20buyers'); // 'Spring buyers'
 * ```
 */
export function decodeAudienceName(encoded: string): string {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch (e) {
    throw new PsiError('AUDIENCE_NAME_INVALID', 'an audience name must be percent-encoded UTF-8', { cause: e });
  }
  return checkAudienceName(name);
}

/**
 * A file name for an audience name that is safe on every file system: each
 * UTF-8 byte outside `[A-Za-z0-9._-]` becomes `%XX` (upper-case hex), and so does
 * a leading `.` (no hidden files, no `.` or `..`). Distinct names give distinct
 * file names, and {@link decodeAudienceName} turns one back into its name.
 *
 * @example
 * ```ts
 * audienceFileName('Spring buyers/2025'); // 'Spring%20buyers%2F2025'
 * audienceFileName('..');                 // '%2E.'
 * ```
 */
export function audienceFileName(name: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(name)) {
    const c = String.fromCharCode(byte);
    const safe = /[A-Za-z0-9._-]/.test(c) && !(out === '' && c === '.');
    out += safe ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A change of an audience, as written to the change log and its history.
 *
 * @example
 * ```ts
 * const change: AudienceChangeKind = 'expired';
 * ```
 */
export type AudienceChangeKind = 'created' | 'replaced' | 'added' | 'removed' | 'deleted' | 'expired';

/**
 * An audience as its advertiser sees it (`GET /v1/audiences`): never the exact
 * member count under a disclosure policy, and never a member.
 *
 * @example
 * ```ts
 * const view: AudienceView = { name: 'Spring buyers', createdAt, updatedAt, users: 1200, released, usable: true };
 * ```
 */
export interface AudienceView {
  name: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Under a policy: the last released figure less the rows sent in remove
   * sessions since (`null` when withheld); under exact disclosure the exact count.
   */
  users: number | null;
  /** The last size figure released to the advertiser, or `null`. */
  released: Released | null;
  /** Large enough to target: `users` is at least the service's minimum audience. */
  usable: boolean;
  /** With `GET /v1/audiences/{name}`: the changes, oldest first. */
  history?: AudienceHistoryView[];
}

/**
 * One change as the advertiser sees it: `users` (exact) only under exact disclosure.
 *
 * @example
 * ```ts
 * const change: AudienceHistoryView = { at, change: 'removed', sent: 25, released: null };
 * ```
 */
export interface AudienceHistoryView {
  at: string;
  change: AudienceChangeKind;
  users?: number;
  /** Rows the advertiser sent in the session. */
  sent?: number;
  released?: Released | null;
}
