import { openDatabase } from '../service/postgres/database.js';
import { migrateDatabase } from '../service/postgres/migrations.js';
import type { CliIo } from './io.js';

/**
 * The `migrate` command: brings the database of `serve --database` to the
 * newest schema and says what it applied. Safe to run while replicas serve, and
 * from several machines at once (one applies, the others wait and find it done).
 *
 * @example
 * ```ts
 * await migrateCommand('postgres://127.0.0.1/blindjoin', processIo());
 * ```
 */
export async function migrateCommand(url: string, io: CliIo): Promise<void> {
  const db = openDatabase(url, { max: 1 });
  try {
    const { applied, version } = await migrateDatabase(db);
    io.out(
      applied.length === 0
        ? `database schema at version ${version}: nothing to apply\n`
        : `database schema migrated to version ${version} (applied ${applied.join(', ')})\n`,
    );
  } finally {
    await db.end();
  }
}
