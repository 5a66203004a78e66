/**
 * The connection pool of a service's PostgreSQL database, and the one way its
 * failures surface: as `DATABASE_UNREACHABLE` (no connection) or
 * `DATABASE_FAILED` (a statement failed), never a driver error. Node only.
 * @module
 */
import pg from 'pg';
import { PsiError } from '../../errors.js';

/**
 * A `pg` pool, as the PostgreSQL modules of the service take it.
 *
 * @example
 * ```ts
 * const pool: Database = openDatabase('postgres://blindjoin@db/blindjoin');
 * ```
 */
export type Database = pg.Pool;

/**
 * One connection taken from the pool, for a transaction.
 *
 * @example
 * ```ts
 * await inTransaction(db, 'counting', async (client: DatabaseClient) => client.query('SELECT 1'));
 * ```
 */
export type DatabaseClient = pg.PoolClient;

/** Connection errors: the server is not there, refuses us, or went away. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  '57P01',
  '57P03',
  '3D000',
  '28P01',
  '28000',
]);

/**
 * A typed error for a failure of the database: `DATABASE_UNREACHABLE` when no
 * connection could be made or kept, `DATABASE_FAILED` otherwise. The message
 * names what was being done, never a parameter (which may be a token id).
 *
 * @example
 * ```ts
 * catch (e) { throw databaseError(e, 'charging the budget'); }
 * ```
 */
export function databaseError(e: unknown, doing: string): PsiError {
  if (e instanceof PsiError) return e;
  const code = (e as { code?: unknown })?.code;
  const reason = e instanceof Error ? e.message : String(e);
  const unreachable = (typeof code === 'string' && UNREACHABLE.has(code)) || /connect|terminat|timeout/i.test(reason);
  return new PsiError(unreachable ? 'DATABASE_UNREACHABLE' : 'DATABASE_FAILED', `PostgreSQL failed ${doing}: ${reason}`, { cause: e });
}

/**
 * Opens a pool on the database at `url` (a `postgres://` connection string; libpq
 * environment variables such as PGPASSWORD fill what it leaves out). Connections
 * are made on demand: call {@link pingDatabase} to find a bad URL at start.
 *
 * @example
 * ```ts
 * const db = openDatabase('postgres://127.0.0.1/blindjoin', { max: 10 });
 * await pingDatabase(db);
 * await db.end();
 * ```
 */
export function openDatabase(url: string, options: { max?: number } = {}): Database {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new PsiError('OPTIONS_INVALID', 'the database URL must start with postgres:// or postgresql://');
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'blindjoin',
  });
  // An idle connection that the server drops must not crash the process: the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Checks that the database answers (`/readyz`, and at start).
 *
 * @example
 * ```ts
 * await pingDatabase(db); // throws DATABASE_UNREACHABLE when it does not
 * ```
 */
export async function pingDatabase(db: Database): Promise<void> {
  try {
    await db.query('SELECT 1');
  } catch (e) {
    throw databaseError(e, 'to answer');
  }
}

/**
 * Runs `fn` in one transaction on one connection: committed when it resolves,
 * rolled back when it throws (its error is rethrown, database errors typed).
 *
 * @example
 * ```ts
 * await inTransaction(db, 'charging', async (c) => { await c.query('INSERT ...'); });
 * ```
 */
export async function inTransaction<T>(db: Database, doing: string, fn: (client: DatabaseClient) => Promise<T>): Promise<T> {
  let client: DatabaseClient;
  try {
    client = await db.connect();
  } catch (e) {
    throw databaseError(e, doing);
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw databaseError(e, doing);
  } finally {
    client.release(broken);
  }
}
