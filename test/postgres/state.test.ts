import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PsiError } from '../../src/errors.js';
import { openDatabase, type Database } from '../../src/service/postgres/database.js';
import { PostgresBudget } from '../../src/service/postgres/budget.js';
import { PostgresItemCounter } from '../../src/service/postgres/item-counter.js';
import { migrateDatabase, MIGRATIONS } from '../../src/service/postgres/migrations.js';
import { sharedNoiseKey } from '../../src/service/postgres/noise-key.js';
import { SessionRegistry } from '../../src/service/postgres/registry.js';
import { createTestDatabase } from './database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pools: Database[];

beforeAll(async () => {
  database = await createTestDatabase();
  // Three pools stand for three replicas: no two charges share a connection or a process-local lock.
  pools = [0, 1, 2].map(() => openDatabase(database.url, { max: 8 }));
  await Promise.all(pools.map((p) => migrateDatabase(p)));
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await database.drop();
});

describe('migrations', () => {
  it('are applied once, however many replicas start together, and recorded by version', async () => {
    const { rows } = await pools[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await migrateDatabase(pools[1]!)).applied).toEqual([]);
  });

  it('refuse a database migrated by a newer version', async () => {
    const db = pools[0]!;
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')");
    try {
      await expect(migrateDatabase(db)).rejects.toMatchObject({ code: 'DATABASE_SCHEMA_NEWER' });
    } finally {
      await db.query('DELETE FROM schema_migrations WHERE version = 9999');
    }
  });
});

describe('the shared privacy budget', () => {
  it('never spends more than the budget under 100 concurrent charges from 3 pools', async () => {
    const budgets = pools.map((p) => new PostgresBudget(p, { budget: 1 }));
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => budgets[i % 3]!.charge('race', 0.05)));
    const charged = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected');
    expect(charged).toBe(20);
    for (const r of refused) expect((r.reason as PsiError).code).toBe('BUDGET_EXCEEDED');
    const { rows } = await pools[0]!.query<{ n: string; micros: string }>(
      "SELECT count(*)::text AS n, sum(micros)::text AS micros FROM budget_charges WHERE token_id = 'race'",
    );
    expect(rows[0]).toEqual({ n: '20', micros: '1000000' });
    const status = await budgets[2]!.status('race');
    expect(status).toMatchObject({ spentMicros: 1_000_000, remainingMicros: 0, spent: 1, remaining: 0, budget: 1 });
  });

  it('counts only charges within the window, and says when the oldest stops counting', async () => {
    const budget = new PostgresBudget(pools[0]!, { budget: 0.5, windowMs: 1_000 });
    const t = Date.UTC(2030, 0, 1);
    await budget.charge('window', 0.25, t);
    await budget.charge('window', 0.25, t + 10);
    await expect(budget.charge('window', 0.25, t + 500)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect((await budget.status('window', t + 500)).nextExpiry).toBe(t + 1_000);
    // Past the window the first charge no longer counts.
    const later = await budget.charge('window', 0.25, t + 1_001);
    expect(later.spentMicros).toBe(500_000);
  });

  it('keeps tokens apart and takes a budget per token', async () => {
    const budget = new PostgresBudget(pools[1]!, { budget: (id) => (id === 'rich' ? 2 : 0.25) });
    await budget.charge('rich', 1);
    await budget.charge('poor', 0.25);
    await expect(budget.charge('poor', 0.25)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect((await budget.status('rich')).remaining).toBe(1);
  });
});

describe('free repeats on the shared budget', () => {
  it('gives back the charge of a byte-identical repeat settled on another replica, once, and charges a new seed', async () => {
    const [a, b] = pools.map((p) => new PostgresBudget(p, { budget: 1 }));
    const seed = 'ab'.repeat(32);
    await a!.charge('repeat', 0.25);
    expect(await a!.settle('repeat', seed, 0.25)).toBe(false);
    // The same bytes again, through another replica: charged at its start, given back when settled.
    await b!.charge('repeat', 0.25);
    expect(await b!.settle('repeat', seed, 0.25)).toBe(true);
    expect((await a!.status('repeat')).spent).toBe(0.25);
    await b!.charge('repeat', 0.25);
    expect(await a!.settle('repeat', 'cd'.repeat(32), 0.25)).toBe(false);
    expect((await b!.status('repeat')).spent).toBe(0.5);
  });
});

describe('the shared item quota', () => {
  it('never passes the daily limit under concurrent charges from 3 pools, and refunds', async () => {
    const counters = pools.map((p) => new PostgresItemCounter(p));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => counters[i % 3]!.charge('quota', 100, 2_500)));
    expect(results.filter(Boolean)).toHaveLength(25);
    expect(await counters[0]!.used('quota')).toBe(2_500);
    await counters[1]!.refund('quota', 300);
    expect(await counters[2]!.used('quota')).toBe(2_200);
    expect(await counters[0]!.charge('quota', 301, 2_500)).toBe(false);
    expect(await counters[0]!.charge('quota', 300, 2_500)).toBe(true);
    // An unlimited quota still counts.
    expect(await counters[0]!.charge('free', 10, Number.POSITIVE_INFINITY)).toBe(true);
  });
});

describe('the shared noise key', () => {
  it('is created once: every replica reads the same 32 bytes', async () => {
    const keys = await Promise.all(pools.map((p) => sharedNoiseKey(p)));
    expect(keys[0]).toHaveLength(32);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
  });
});

describe('the session registry', () => {
  it('names the holder of a session to the other replicas, and forgets it when released', async () => {
    const [a, b] = [new SessionRegistry(pools[0]!, { ttlMs: 60_000 }), new SessionRegistry(pools[1]!, { ttlMs: 60_000 })];
    await a.start('http://127.0.0.1:1001');
    await b.start('http://127.0.0.1:1002');
    const id = 'ab'.repeat(16);
    expect(await a.claim(id, 'acme')).toBeUndefined();
    expect(await a.claim(id, 'acme')).toBeUndefined(); // a retried HELLO at the holder
    expect(await b.claim(id, 'acme')).toEqual({ url: 'http://127.0.0.1:1001', tokenId: 'acme' });
    expect(await b.locate(id)).toEqual({ url: 'http://127.0.0.1:1001', tokenId: 'acme' });
    expect(await a.locate(id)).toBeUndefined();
    a.release(id);
    await expect.poll(() => b.locate(id)).toBeUndefined();
    // A replica restarting at the same URL lost its sessions: their rows go.
    expect(await a.claim(id, 'acme')).toBeUndefined();
    await a.start('http://127.0.0.1:1001');
    expect(await b.locate(id)).toBeUndefined();
    a.close();
    b.close();
  });
});
