import { bytesToHex } from '@noble/hashes/utils.js';
import type { MatchedRow } from './result.js';
import type { Session } from './session-store.js';

/**
 * A matched row and the user it names: its line, and in a store also the file
 * it came from (added files have lines of their own).
 *
 * @example
 * ```ts
 * const user: UserRow = { user: 'users.csv:12', row: { line: 12, value: 'ann@example.com' } };
 * ```
 */
export interface UserRow {
  user: string;
  row: MatchedRow;
}

/**
 * The platform's rows behind a session's matched own indices: a store's (or its
 * relationship view's) row map, else the rows given with the items (by default
 * line `i + 1` and the item itself). With row columns, a user of several
 * identifiers is one row however many of them matched.
 *
 * @example
 * ```ts
 * const rows = new UserRows({ items: ['ann@example.com', 'bob@example.com'] });
 * rows.rowOf(1); // { line: 2, value: 'bob@example.com' }
 * ```
 */
export class UserRows {
  readonly #items: readonly (string | Uint8Array)[] | undefined;
  readonly #rows: readonly MatchedRow[] | undefined;
  readonly #byUser: boolean;

  constructor(opts: { items?: readonly (string | Uint8Array)[]; rows?: readonly MatchedRow[]; rowColumns?: readonly string[] }) {
    this.#items = opts.items;
    this.#rows = opts.rows;
    this.#byUser = opts.rowColumns !== undefined;
  }

  /** The rows behind matched own indices of `session`, in input order, each with the user it names. */
  async matched(session: Session, matches: readonly number[]): Promise<UserRow[]> {
    const source = session.relationship ?? session.lease?.store;
    if (source !== undefined) return (await source.rowsOf(matches)).map((r) => ({ user: `${r.source}:${r.row.line}`, row: r.row }));
    return matches.map((i) => this.rowOf(i)).map((row) => ({ user: String(row.line), row }));
  }

  /** With row columns, each user's row once however many of its identifiers matched. */
  distinct(all: readonly UserRow[]): MatchedRow[] {
    if (!this.#byUser) return all.map((r) => r.row);
    const seen = new Set<string>();
    return all.filter((r) => !seen.has(r.user) && seen.add(r.user)).map((r) => r.row);
  }

  /** The row of item `i` of the items path. */
  rowOf(i: number): MatchedRow {
    const given = this.#rows?.[i];
    if (given !== undefined) return given;
    const item = this.#items![i]!;
    return { line: i + 1, value: typeof item === 'string' ? item : bytesToHex(item) };
  }
}
