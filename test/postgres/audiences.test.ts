import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileAudienceRecords } from '../../src/service/audiences/file-records.js';
import { RetainedAudiences } from '../../src/service/audiences/store.js';
import { postgresAudienceRecords } from '../../src/service/postgres/audience-records.js';
import { openDatabase, type Database } from '../../src/service/postgres/database.js';
import { migrateDatabase } from '../../src/service/postgres/migrations.js';
import { createTestDatabase } from './database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pools: Database[];
let out: string;

beforeAll(async () => {
  database = await createTestDatabase();
  // Two pools stand for two replicas: no lock of one process helps the other.
  pools = [0, 1].map(() => openDatabase(database.url, { max: 6 }));
  await migrateDatabase(pools[0]!);
  out = await mkdtemp(join(tmpdir(), 'bj-pg-audiences-'));
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await database.drop();
  await rm(out, { recursive: true, force: true });
});

const update = (users: string[], mode: 'add' | 'replace' | 'remove' = 'add') => ({
  mode,
  columns: ['user_id'],
  users: users.map((u) => [u]),
  released: null,
  sent: users.length,
  at: Date.now(),
});

it('two replicas adding to one audience at once lose no update, and both see it; the ad server file follows', async () => {
  const [a, b] = pools.map((p) => new RetainedAudiences(postgresAudienceRecords(p, fileAudienceRecords(out))));
  await a!.update('acme', 'Spring buyers', update(['u0'], 'replace'));
  await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a! : b!).update('acme', 'Spring buyers', update([`u${i + 1}`]))));
  const seen = await b!.get('acme', 'Spring buyers');
  expect(seen?.members.map((m) => m[0]).sort()).toEqual(Array.from({ length: 21 }, (_, i) => `u${i}`).sort());
  const file = await readFile(join(out, 'audiences', 'acme', 'Spring%20buyers.csv'), 'utf8');
  expect(file.trimEnd().split('\n')).toHaveLength(22);
  expect((await a!.list('other')).length).toBe(0);
  await b!.update('acme', 'Spring buyers', update(['u3'], 'remove'));
  expect((await a!.get('acme', 'Spring buyers'))?.members).toHaveLength(20);
  expect(await a!.delete('acme', 'Spring buyers')).toBe(true);
  expect(await b!.get('acme', 'Spring buyers')).toBeUndefined();
  const { rows } = await pools[0]!.query<{ n: string }>("SELECT count(*)::text AS n FROM audience_log WHERE entry->>'change' = 'added'");
  expect(Number(rows[0]!.n)).toBe(20);
});
