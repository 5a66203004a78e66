import { bytesToHex } from '@noble/hashes/utils.js';
import type { StoredRow } from '../store/row-map.js';
import { paddedRuns } from './padded-positions.js';
import type { MatchedRow } from './result.js';

/**
 * A matched row, where it stands in the input and the user it names: its line,
 * and in a store also the file it came from (added files have lines of their own).
 *
 * @example
 * ```ts
 * const user: UserRow = { index: 11, user: 'users.csv:12', row: { line: 12, value: 'ann@example.com' } };
 * ```
 */
export interface UserRow {
  /** Its place in the input: results list rows in this order. */
  index: number;
  user: string;
  row: MatchedRow;
}

/**
 * Where a store's rows are read: the epoch's row map, or a relationship's view of it.
 *
 * @example
 * ```ts
 * const source: RowSource = lease.store!;
 * ```
 */
export interface RowSource {
  rowsOf(positions: readonly number[]): Promise<StoredRow[]>;
  entriesOf(positions: readonly number[]): Promise<StoredRow[][]>;
}

/**
 * What a released figure counted: the distinct users behind the matches, and
 * their rows (in no particular order: {@link UserRows.distinct} orders them).
 *
 * @example
 * ```ts
 * const { users, rows } = await userRows.count(store, matches, 500, 10_000);
 * ```
 */
export interface CountedUsers {
  users: number;
  rows: UserRow[];
}

const storedUserRow = (r: StoredRow): UserRow => ({ index: r.index, user: `${r.source}:${r.row.line}`, row: r.row });

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

  /** The rows behind matched own indices, from `source` (a store's) or the items, each with the user it names. */
  async matched(source: RowSource | undefined, matches: readonly number[]): Promise<UserRow[]> {
    if (source !== undefined) return (await source.rowsOf(matches)).map(storedUserRow);
    return matches.map((i) => this.#itemRow(i));
  }

  /**
   * The distinct users behind `matches` (positions in [0, size)), for a figure
   * released after this resolves: its work must not tell which elements
   * matched, so it reads the rows of `bound` positions whoever matched (every
   * match, the others drawn among the rest, see {@link paddedRuns}) and treats
   * each row alike, a match's into the count and the result, another's into a
   * set dropped after its run. `bound` is what the client's bytes and the
   * public set size allow: each matched position is one of the client's
   * distinct elements, so matches never exceed min(its elements, `size`).
   */
  async count(source: RowSource | undefined, matches: readonly number[], bound: number, size: number): Promise<CountedUsers> {
    const counted = { users: new Set<string>(), rows: [] as UserRow[] };
    for (const { positions, hits } of paddedRuns(matches, bound, size)) {
      const entries = source === undefined ? positions.map((i) => [this.#itemRow(i)]) : await this.#entries(source, positions);
      const padding = { users: new Set<string>(), rows: [] as UserRow[] };
      entries.forEach((entry, k) => {
        const into = hits[k] ? counted : padding;
        for (const r of entry) {
          into.users.add(r.user);
          into.rows.push(r);
        }
      });
    }
    return { users: counted.users.size, rows: counted.rows };
  }

  /** In input order; with row columns, each user's row once however many of its identifiers matched. */
  distinct(all: readonly UserRow[]): MatchedRow[] {
    const ordered = [...all].sort((a, b) => a.index - b.index);
    if (!this.#byUser) return ordered.map((r) => r.row);
    const seen = new Set<string>();
    return ordered.filter((r) => !seen.has(r.user) && seen.add(r.user)).map((r) => r.row);
  }

  /** The row of item `i` of the items path. */
  rowOf(i: number): MatchedRow {
    const given = this.#rows?.[i];
    if (given !== undefined) return given;
    const item = this.#items![i]!;
    return { line: i + 1, value: typeof item === 'string' ? item : bytesToHex(item) };
  }

  #itemRow(i: number): UserRow {
    const row = this.rowOf(i);
    return { index: i, user: String(row.line), row };
  }

  async #entries(source: RowSource, positions: readonly number[]): Promise<UserRow[][]> {
    return (await source.entriesOf(positions)).map((entry) => entry.map(storedUserRow));
  }
}
