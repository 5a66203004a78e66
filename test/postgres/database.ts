import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL every dev machine and CI runs (DEVELOPERS.md); BLINDJOIN_TEST_PG overrides it. */
const SERVER = process.env.BLINDJOIN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

/** Creates a fresh database for one test file; `drop()` removes it (ending its connections first). */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bj_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: `${SERVER}/${name}`,
    async drop() {
      const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
