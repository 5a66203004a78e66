import { afterEach, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { MIGRATIONS } from '../../src/service/postgres/migrations.js';
import { PostgresBudget } from '../../src/service/postgres/budget.js';
import { openDatabase } from '../../src/service/postgres/database.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { blindjoin, captured, never } from '../cli/serve-in-process.js';
import { createTestDatabase } from './database.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

it('blindjoin migrate applies the schema once, then finds nothing to apply', async () => {
  const database = await createTestDatabase();
  cleanup.push(database.drop);
  const first = captured();
  expect(await run(blindjoin('migrate', '--database', database.url), first, never)).toBe(0);
  expect(first.stdout).toMatch(
    new RegExp(`migrated to version ${MIGRATIONS.length} \\(applied ${MIGRATIONS.map((m) => m.version).join(', ')}\\)`),
  );
  const again = captured();
  expect(await run(blindjoin('migrate', '--database', database.url), again, never)).toBe(0);
  expect(again.stdout).toMatch(`at version ${MIGRATIONS.length}: nothing to apply`);
});

it('refuses to start on an unreachable database, with a typed error', async () => {
  const io = captured();
  // Port 1 on loopback: nothing listens there.
  const code = await run(blindjoin('migrate', '--database', 'postgres://postgres@127.0.0.1:1/none'), io, never);
  expect([code, io.stderr]).toEqual([1, expect.stringMatching(/^blindjoin: DATABASE_UNREACHABLE: /)]);
});

it('charges the shared budget, and /readyz answers 503 once the database is gone', async () => {
  const database = await createTestDatabase();
  cleanup.push(database.drop);
  const server = await startPsiServer({ items: ['a', 'b'], database: database.url, budgetEpsilon: 0.5, minItems: 1 });
  cleanup.push(() => server.close());
  const ready = await fetch(`${server.url}/readyz`);
  expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  // The service's budget is the database's: what another replica spent, this one refuses to spend again.
  const db = openDatabase(database.url);
  await new PostgresBudget(db, { budget: 0.5 }).charge('anonymous', 0.5);
  await db.end();
  await expect(matchOverHttp({ server: server.url, items: ['a', 'b'], retries: 0 })).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
  await database.drop();
  const unready = await fetch(`${server.url}/readyz`);
  expect(unready.status).toBe(503);
  expect(await unready.json()).toEqual({ status: 'unready', reason: 'DATABASE_UNREACHABLE' });
});
