import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PsiError } from '../../src/errors.js';
import { PsiParty } from '../../src/protocol/party.js';
import { matchWith, type MatchOverHttpResult } from '../../src/transport/client.js';
import { createTestDatabase } from './database.js';
import { fixtures, startReplica, steeredPort, type Replica } from './replicas.js';

// Three replicas on one database; each token has epsilon 1 per window, 0.25 per release: 4 releases.
const USERS = 600;
const OVERLAP = 300;
const CLIENT_ITEMS = 400;
const TOKENS = ['spread', 'alternate', 'killed', 'drained'];

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let data: Awaited<ReturnType<typeof fixtures>>;
let replicas: Replica[];
let db: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  data = await fixtures(USERS, TOKENS, CLIENT_ITEMS, OVERLAP);
  const args = (k: number) => [
    ...['--input', data.users, '--column', 'email', '--type', 'email', '--database', database.url],
    ...['--tokens-file', data.tokensFile, '--budget', '1', '--min-items', '10', '--max-sessions', '64', '--max-sessions-per-token', '64'],
    ...['--workers', '1', '--out', join(data.dir, `out-${k}`), '--drain-timeout', '20s'],
  ];
  replicas = await Promise.all([0, 1, 2].map((k) => startReplica(args(k))));
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  for (const r of replicas ?? []) r.child.kill('SIGKILL');
  await Promise.all((replicas ?? []).map((r) => r.exited));
  await db?.end();
  await database?.drop();
  if (data !== undefined) await rm(data.dir, { recursive: true, force: true });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Runs one session of `token` with requests sent where `pick` says. */
async function session(token: string, pick: (n: number, path: string) => string | Promise<string>) {
  const port = steeredPort(pick);
  try {
    return await matchWith(port, {
      server: replicas[0]!.url,
      token: data.tokens[token],
      items: data.items,
      retries: 1,
      retryDelayMs: 20,
    });
  } finally {
    port.close();
  }
}

/** The summaries the replicas wrote, by session id. */
async function summaries(): Promise<Map<string, { matched: number; released: { value: number | null }; tokenId: string }>> {
  const out = new Map();
  for (const k of [0, 1, 2]) {
    const dir = join(data.dir, `out-${k}`);
    for (const f of await readdir(dir).catch(() => [])) {
      if (!f.endsWith('.summary.json')) continue;
      const s = JSON.parse(await readFile(join(dir, f), 'utf8')) as { sessionId: string };
      out.set(s.sessionId, { ...s, replica: k });
    }
  }
  return out;
}

/** An honest answer: the service matched exactly the planted users, and the client got the figure it released, near the truth. */
async function expectRight(result: MatchOverHttpResult): Promise<void> {
  const summary = (await summaries()).get(result.sessionId);
  expect(summary?.matched).toBe(OVERLAP);
  expect(result.released?.value).toBe(summary?.released.value);
  // Laplace noise of scale 4 exceeds 80 with probability e^-20; rounding to 2 digits moves 300 by at most 5.
  expect(Math.abs(result.released!.value! - OVERLAP)).toBeLessThanOrEqual(85);
}

async function charges(token: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM budget_charges WHERE token_id = $1', [token]);
  return Number(rows[0]!.n);
}

describe('three replicas on one PostgreSQL', () => {
  it('answer /healthz and /readyz', async () => {
    for (const r of replicas) {
      expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${r.url}/readyz`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    }
  });

  it('share one budget: 40 concurrent sessions of one token give exactly 4 releases and 36 BUDGET_EXCEEDED', async () => {
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => session('spread', () => replicas[i % 3]!.url)));
    const released = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as PsiError] : []));
    expect(refused.map((e) => e.code)).toEqual(Array(36).fill('BUDGET_EXCEEDED'));
    expect(released).toHaveLength(4);
    for (const r of released) await expectRight(r);
    expect(await charges('spread')).toBe(4);
  }, 120_000);

  it('complete a session whose requests alternate between replicas', async () => {
    let k = 0;
    const port = steeredPort(() => replicas[k++ % 3]!.url);
    try {
      const result = await matchWith(port, { server: replicas[0]!.url, token: data.tokens.alternate, items: data.items });
      await expectRight(result);
      const sessionRequests = port.seen.filter((s) => s.includes('/v1/sessions'));
      expect(new Set(sessionRequests.map((s) => s.split(' ')[1])).size).toBeGreaterThan(1);
    } finally {
      port.close();
    }
  }, 60_000);

  it('answer a HELLO retried at another replica from the holder, once', async () => {
    const party = new PsiParty({ role: 'initiator', items: data.items, learn: 'released', peerLearns: 'intersection' });
    const [hello] = await party.step();
    const send = (r: Replica) =>
      fetch(`${r.url}/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${data.tokens.alternate}`, 'content-type': 'application/octet-stream' },
        body: Buffer.from(hello!),
      });
    const before = await charges('alternate');
    const first = await send(replicas[0]!);
    const retried = await send(replicas[2]!);
    expect([first.status, retried.status]).toEqual([201, 201]);
    expect(Buffer.from(await retried.arrayBuffer())).toEqual(Buffer.from(await first.arrayBuffer()));
    expect(await charges('alternate')).toBe(before + 1);
    await party.close();
  }, 60_000);

  it('lose only the sessions of a replica killed mid-session, with a typed error, and keep every charge', async () => {
    // Four sessions: two held by replica 1 (killed), one each by 0 and 2; each waits after its HELLO.
    const holders = [1, 1, 0, 2];
    // After the kill: one of the lost sessions goes on through replica 0 (forwarded to a dead holder), the other straight to it.
    const after = [0, 1, 2, 0];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let hellos = 0;
    const allHellos = deferred();
    const runs = holders.map((h, i) =>
      session('killed', async (n, path) => {
        if (path.endsWith('/v1/terms') || path.endsWith('/v1/sessions')) return replicas[h]!.url;
        if (n === 2 && ++hellos === holders.length) allHellos.resolve();
        await gate;
        return replicas[after[i]!]!.url;
      }),
    );
    await allHellos.promise;
    const before = await charges('killed');
    expect(before).toBe(4);
    replicas[1]!.child.kill('SIGKILL');
    await replicas[1]!.exited;
    release();
    const results = await Promise.allSettled(runs);
    for (const i of [0, 1]) expect(results[i]).toMatchObject({ status: 'rejected', reason: { code: 'SESSION_LOST' } });
    // Through a live replica, the registry named the dead holder: SESSION_REPLICA_GONE, which the client reports as lost.
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/replica holding this session does not answer/);
    for (const i of [2, 3]) {
      expect(results[i]!.status).toBe('fulfilled');
      await expectRight((results[i] as PromiseFulfilledResult<MatchOverHttpResult>).value);
    }
    // Every charge made before the kill is kept, none is made twice: one per session started.
    expect(await charges('killed')).toBe(before);
  }, 60_000);

  it('drain on SIGTERM: no new sessions, the one in progress finishes, then the process exits', async () => {
    const draining = replicas[2]!;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started = deferred();
    const run = session('drained', async (n) => {
      if (n === 2) started.resolve();
      if (n >= 2) await gate;
      return draining.url;
    });
    await started.promise;
    draining.child.kill('SIGTERM');
    await expect.poll(async () => (await fetch(`${draining.url}/readyz`)).status).toBe(503);
    const refused = await session('drained', () => draining.url).catch((e: PsiError) => e);
    expect(refused).toMatchObject({ code: 'SERVICE_CLOSING' });
    release();
    await expectRight(await run);
    expect(await draining.exited).toBe(0);
  }, 60_000);
});
