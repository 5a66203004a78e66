/**
 * The versioned schema of the service's PostgreSQL database: numbered
 * migrations, each applied once in its own transaction and recorded in
 * `schema_migrations`, under an advisory lock so that replicas starting
 * together apply each one once. Applied by `serve --database` at start and by
 * `blindjoin migrate`. Never edit a migration that shipped: add the next one.
 * @module
 */
import { PsiError } from '../../errors.js';
import { databaseError, type Database } from './database.js';

/**
 * One step of the schema.
 *
 * @example
 * ```ts
 * const m: Migration = { version: 1, name: 'shared state', sql: 'CREATE TABLE ...' };
 * ```
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Every migration, in order.
 *
 * @example
 * ```ts
 * MIGRATIONS.at(-1)!.version; // the schema version this code expects
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'budgets, item quotas, noise key, session registry',
    sql: `
      CREATE TABLE budget_charges (
        id bigserial PRIMARY KEY,
        token_id text NOT NULL,
        at timestamptz NOT NULL,
        micros bigint NOT NULL CHECK (micros > 0)
      );
      CREATE INDEX budget_charges_token_at ON budget_charges (token_id, at);
      CREATE TABLE item_counts (
        token_id text NOT NULL,
        day date NOT NULL,
        used bigint NOT NULL CHECK (used >= 0),
        PRIMARY KEY (token_id, day)
      );
      CREATE TABLE noise_key (
        id smallint PRIMARY KEY CHECK (id = 1),
        key bytea NOT NULL CHECK (octet_length(key) = 32),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sessions (
        session_id text PRIMARY KEY,
        replica text NOT NULL,
        token_id text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_replica ON sessions (replica);
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
    `,
  },
  {
    version: 2,
    name: 'relationship states',
    sql: `
      CREATE TABLE relationship_states (
        token_id text NOT NULL,
        relationship_id text NOT NULL,
        epoch text NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (token_id, relationship_id, epoch)
      );
    `,
  },
  {
    version: 3,
    name: 'release seeds of settled charges (free repeats)',
    sql: `ALTER TABLE budget_charges ADD COLUMN seed text;`,
  },
  {
    version: 4,
    name: 'audiences',
    sql: `
      CREATE TABLE audiences (
        token_id text NOT NULL,
        name text NOT NULL,
        record jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (token_id, name)
      );
      CREATE TABLE audience_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        entry jsonb NOT NULL
      );
    `,
  },
];

/** Key of the advisory lock held while migrating (any constant unlikely to clash with an application's). */
const MIGRATION_LOCK = 0x626a_6d67; // "bjmg"

/**
 * Brings the database to the newest schema; resolves the versions it applied
 * (none when it was current). Refuses a database migrated by a newer blindjoin
 * (`DATABASE_SCHEMA_NEWER`): older code could misread its tables.
 *
 * @example
 * ```ts
 * const { applied, version } = await migrateDatabase(db); // { applied: [1], version: 1 } on a new database
 * ```
 */
export async function migrateDatabase(db: Database): Promise<{ applied: number[]; version: number }> {
  let client;
  try {
    client = await db.connect();
  } catch (e) {
    throw databaseError(e, 'to connect for migrations');
  }
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const known = MIGRATIONS.at(-1)!.version;
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new PsiError('DATABASE_SCHEMA_NEWER', `the database is at schema version ${newest}; this blindjoin knows up to ${known}`);
    }
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw databaseError(e, `applying migration ${m.version} (${m.name})`);
      }
      applied.push(m.version);
    }
    return { applied, version: known };
  } catch (e) {
    throw databaseError(e, 'migrating the schema');
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => (broken = true));
    client.release(broken);
  }
}
