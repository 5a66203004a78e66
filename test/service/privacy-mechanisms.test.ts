/**
 * The privacy mechanisms themselves, each pinned so that losing it fails a test:
 * noise really added, keyed on the transcript, a noise key that survives a
 * restart, the minimum counted on rows, the exact-disclosure gate, no charge
 * for a refused mode, free byte-identical repeats (settled once, across a
 * restart), relationships per token, ciphertext chunk bounds and kept-segment
 * checksums.
 */
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetLedger } from '../../src/service/ledger.js';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { createParty, psiItem, runLocal } from '../../src/node.js';
import { SessionService } from '../../src/service/engine.js';
import { openServiceState } from '../../src/service/state.js';
import { parseTokens } from '../../src/service/tokens.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { relationshipFingerprint } from '../../src/transport/protocol-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { PsiParty } from '../../src/protocol/party.js';
import { codeOf } from '../protocol/helpers.js';
import { emails } from '../transport/helpers.js';
import { hostileSession } from './hostile-client.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bj-mech-'));
  dirs.push(dir);
  return dir;
}

const unrounded = { threshold: null, significantDigits: null } as const;
const platformUsers = emails(0, 300);

/** One local session under a keyed policy: the released value and the exact count. */
async function releaseOf(clientItems: string[], noiseKey: Uint8Array | undefined): Promise<{ value: number; exact: number }> {
  const advertiser = createParty({ role: 'initiator', items: clientItems, learn: 'released', peerLearns: 'intersection', workers: 1 });
  const platform = createParty({
    role: 'responder',
    items: platformUsers,
    learn: 'intersection',
    peerLearns: 'released',
    workers: 1,
    disclosure: { policy: unrounded, ...(noiseKey === undefined ? {} : { noiseKey, context: [new TextEncoder().encode('acme')] }) },
  });
  await runLocal(advertiser, platform);
  return { value: advertiser.result().released!.value!, exact: platform.result().size! };
}

describe('noise', () => {
  it('is really added, with the variance of the discrete Laplace at epsilon 0.25 (both fresh and keyed)', async () => {
    for (const noiseKey of [undefined, new Uint8Array(32).fill(4)]) {
      const noises: number[] = [];
      for (let k = 0; k < 40; k++) {
        const { value, exact } = await releaseOf([...emails(100 + k, 150), `extra${k}@example.com`], noiseKey);
        noises.push(value - exact);
      }
      const zeros = noises.filter((z) => z === 0).length;
      const variance = noises.reduce((s, z) => s + z * z, 0) / noises.length;
      // alpha = e^-0.25: P(Z = 0) is about 12%, the variance 2 alpha / (1 - alpha)^2 about 31.5.
      expect(zeros).toBeLessThan(20);
      expect(variance).toBeGreaterThan(31.5 * 0.3);
      expect(variance).toBeLessThan(31.5 * 3);
    }
  });

  it('is keyed on the transcript: different lists of one token meet different noise, the same bytes the same', async () => {
    const noiseKey = new Uint8Array(32).fill(9);
    const noises = new Set<number>();
    for (let k = 0; k < 12; k++) {
      const { value, exact } = await releaseOf([...emails(100, 150), `extra${k}@example.com`], noiseKey);
      noises.add(value - exact);
    }
    expect(noises.size).toBeGreaterThan(2);
  });

  it('keeps its key across a restart of the state directory', async () => {
    const dir = await tempDir();
    const first = await openServiceState(dir);
    const key = first.noiseKey.slice();
    await first.close();
    const second = await openServiceState(dir);
    expect(second.noiseKey).toEqual(key);
    await second.close();
  });
});

describe('free repeats and the budget', () => {
  it('a byte-identical re-upload gets the same figure and is not charged again, also after a restart; one row more is charged', async () => {
    const dir = await tempDir();
    const storeDir = join(dir, 'store');
    const stateDir = join(dir, 'state');
    await prepareStore(storeDir, { items: platformUsers, rows: platformUsers.map((value, i) => ({ line: i + 2, value })) }, { workers: 1 });
    const keySeed = new Uint8Array(32).fill(6);
    const list = [...emails(200, 150), 'x@example.com'];
    const spent = async () => {
      const ledger = await BudgetLedger.open(join(stateDir, 'ledger.json'));
      const s = ledger.status('anonymous').spent;
      await ledger.close();
      return s;
    };
    const serve = () => startPsiServer({ storeDir, stateDir, minItems: 100, workers: 1, budgetEpsilon: 1, policy: unrounded });
    let service = await serve();
    const first = await matchOverHttp({ server: service.url, items: list, keySeed, workers: 1 });
    const again = await matchOverHttp({ server: service.url, items: list, keySeed, workers: 1 });
    expect(again.released).toEqual(first.released);
    await service.close();
    expect(await spent()).toBe(0.25);
    service = await serve();
    const afterRestart = await matchOverHttp({ server: service.url, items: list, keySeed, workers: 1 });
    expect(afterRestart.released).toEqual(first.released);
    const oneMore = await matchOverHttp({ server: service.url, items: [...list, 'y@example.com'], keySeed, workers: 1 });
    expect(oneMore.released).toBeDefined();
    await service.close();
    expect(await spent()).toBe(0.5);
  });

  it('a HELLO refused for its modes charges neither epsilon nor items', async () => {
    const dir = await tempDir();
    const ledger = await BudgetLedger.open(join(dir, 'ledger.json'));
    const service = new SessionService({
      items: platformUsers,
      minItems: 10,
      workers: 1,
      budget: ledger,
      itemCounter: { charge: (id, n, limit) => ledger.chargeItems(id, n, limit), refund: (id, n) => ledger.refundItems(id, n) },
    });
    try {
      const client = new PsiParty({ role: 'initiator', items: emails(0, 20), learn: 'size', peerLearns: 'intersection', workers: 1 });
      const [hello] = await client.step();
      expect(await codeOf(() => service.open({ id: 'acme' }, decodeFrame(hello!), hello!))).toBe('MODE_MISMATCH');
      expect(ledger.status('acme').spent).toBe(0);
      expect(ledger.itemsUsed('acme')).toBe(0);
      await client.close();
    } finally {
      await service.close();
      await ledger.close();
    }
  });
});

describe('admission', () => {
  it('counts the minimum list size on rows, not on the elements rows are padded to', async () => {
    const service = await startPsiServer({ items: platformUsers, minItems: 100, workers: 1, budget: new MemoryBudget({ budget: 100 }) });
    try {
      // 10 rows of 10 keys each: 100 elements, 10 customers.
      const rows = Array.from({ length: 10 }, (_, r) => Array.from({ length: 10 }, (_, k) => psiItem('email', `r${r}k${k}@example.com`)));
      expect(await codeOf(() => matchOverHttp({ server: service.url, rows, workers: 1 }))).toBe('TOO_FEW_ITEMS');
    } finally {
      await service.close();
    }
  });

  it('never runs exact reveal modes under a policy: peerLearns intersection or size needs disclosure exact', () => {
    for (const peerLearns of ['intersection', 'size'] as const) {
      expect(() => new SessionService({ items: platformUsers, peerLearns })).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
      expect(() => new SessionService({ items: platformUsers, disclosure: 'policy', peerLearns })).toThrow(
        expect.objectContaining({ code: 'OPTIONS_INVALID' }),
      );
    }
    const exact = new SessionService({ items: platformUsers, disclosure: 'exact', peerLearns: 'size', workers: 1 });
    expect(exact.terms).toMatchObject({ disclosure: 'exact', peerLearns: 'size' });
    void exact.close();
    const policy = new SessionService({ items: platformUsers, workers: 1 });
    expect(policy.terms).toMatchObject({ disclosure: 'policy', peerLearns: 'released' });
    void policy.close();
  });

  it('refuses a ciphertext chunk longer than what is still owed', async () => {
    const service = await startPsiServer({
      items: platformUsers,
      minItems: 100,
      workers: 1,
      advertiserValues: true,
      budget: new MemoryBudget({ budget: 100 }),
    });
    try {
      const items = emails(100, 120);
      const view = await hostileSession(
        service.url,
        { role: 'initiator', items, learn: 'released', peerLearns: 'intersection', workers: 1 },
        { kind: 'ciphertextOverflow' },
        { measure: { values: { amount: items.map(() => 3) }, valueBound: 10 } },
      );
      expect(view.end).toBe('refused CHUNK_OVERFLOW');
    } finally {
      await service.close();
    }
  });
});

describe('relationships', () => {
  async function relationshipService(dir: string, log: string[]) {
    const storeDir = join(dir, 'store');
    await prepareStore(
      storeDir,
      { items: platformUsers, rows: platformUsers.map((value, i) => ({ line: i + 2, value })) },
      { workers: 1, segmentItems: 64 },
    );
    const tokens = parseTokens(`alpha ${'a'.repeat(40)}\nbeta ${'b'.repeat(40)}\n`);
    return {
      storeDir,
      service: await startPsiServer({
        storeDir,
        tokens,
        minItems: 100,
        workers: 1,
        budget: new MemoryBudget({ budget: 100 }),
        log: (line) => log.push(line),
      }),
    };
  }
  const keySeed = new Uint8Array(32).fill(8);
  const list = [...emails(250, 100), ...emails(900, 20)];

  it('are kept per token: another token naming the same id and key fingerprint starts afresh', async () => {
    const log: string[] = [];
    const { service } = await relationshipService(await tempDir(), log);
    try {
      const run = (token: string) =>
        matchOverHttp({ server: service.url, token, items: list, workers: 1, relationship: { id: 'crm', keySeed } });
      await run('a'.repeat(40));
      await run('a'.repeat(40));
      await run('b'.repeat(40));
      const started = log.filter((l) => l.includes(' started: '));
      expect(started[1]).toMatch(/\(alpha\).*relationship crm: 0 elements sent, 300 kept/);
      expect(started[2]).toMatch(/\(beta\).*relationship crm: 300 elements sent, 0 kept/);
    } finally {
      await service.close();
    }
  });

  it.each([
    ['its index', '.index', [5]],
    ['every block of its data', '.sorted', Array.from({ length: 19 }, (_, b) => b * 640 + 5)],
  ])('read the kept set only against its checksums: a change to %s refuses the session (STORE_CORRUPT)', async (_what, ext, flips) => {
    const log: string[] = [];
    const { service, storeDir } = await relationshipService(await tempDir(), log);
    try {
      const run = () =>
        matchOverHttp({ server: service.url, token: 'a'.repeat(40), items: list, workers: 1, relationship: { id: 'crm', keySeed } });
      await run();
      const root = join(storeDir, 'relationships');
      const [epoch] = await readdir(root);
      const [owner] = await readdir(join(root, epoch!));
      const kept = (await readdir(join(root, epoch!, owner!))).filter((f) => f.endsWith(ext));
      expect(kept).toHaveLength(1);
      const file = join(root, epoch!, owner!, kept[0]!);
      const bytes = await readFile(file);
      for (const at of flips) bytes[at]! ^= 1;
      await writeFile(file, bytes);
      const view = await hostileSession(
        service.url,
        { role: 'initiator', items: list, learn: 'released', peerLearns: 'intersection', workers: 1, keySeed },
        { kind: 'honest' },
        { token: 'a'.repeat(40), headers: { 'blindjoin-relationship': `crm:${relationshipFingerprint(keySeed)}` } },
      );
      expect(view.end).toBe('refused STORE_CORRUPT');
    } finally {
      await service.close();
    }
  });
});
