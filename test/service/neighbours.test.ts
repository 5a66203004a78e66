/**
 * The composition under a malicious client: the same hostile client runs against
 * neighbouring platform sets, one with and one without the target (a person on
 * the client's list), in every mode the service runs (input and store, both
 * suites, relationships, rows, measurement), over HTTP. Until the release, what
 * the client sees (every status, code, message and frame) must not depend on
 * whether the target is a platform user: the views must be identical but for the
 * released figures.
 *
 * Strict neighbours replace the target by a filler user (the same size, which is
 * public anyway): every byte of the view but the platform's blinded set and the
 * figures must match. Added neighbours (D and D plus the target) change the
 * public set size too, so there statuses, codes and frame types must match.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { psiItem } from '../../src/identifiers/item.js';
import type { GroupName } from '../../src/group/suite.js';
import type { PartyOptions } from '../../src/protocol/types.js';
import { relationshipFingerprint } from '../../src/transport/protocol-http.js';
import { prepareStore } from '../../src/store/writer.js';
import { startPsiServer, type PsiServer, type PsiServerOptions } from '../../src/transport/server.js';
import { users } from '../store/helpers.js';
import { hostileSession, tamperArb, type Tamper, type View } from './hostile-client.js';

const TARGET = 'target@example.com';
const FILLER = 'filler@example.com';
const NOISE_KEY = new Uint8Array(32).fill(5);
const KEY_SEED = new Uint8Array(32).fill(11);

/** The platform: 150 users, plus the target or a filler. */
function platform(withTarget: boolean, size: 'same' | 'added'): string[] {
  const base = users(150).items;
  if (withTarget) return [...base, TARGET];
  return size === 'same' ? [...base, FILLER] : base;
}

/** The client: the target, 70 platform users and 40 made-up addresses. */
const customers = [TARGET, ...users(70).items, ...Array.from({ length: 40 }, (_, i) => `nobody${i}@example.com`)];

const policyOptions = {
  minItems: 100,
  workers: 1,
  noiseKey: NOISE_KEY,
  budget: new MemoryBudget({ budget: 1e9 }),
} satisfies Partial<PsiServerOptions>;

/** A client party that derives its key, dummies and order from its secret: the same bytes against both sets. */
function client(group: GroupName, own: { items: string[] } | { rows: Uint8Array[][] }): PartyOptions {
  return {
    role: 'initiator',
    ...own,
    learn: 'released',
    peerLearns: 'intersection',
    group,
    keySeed: KEY_SEED,
    keyFromItems: true,
    workers: 1,
  };
}

/** What must match: everything, or (added neighbours) statuses, codes and frame types. */
function comparable(view: View, strict: boolean): unknown {
  if (strict) return { exchanges: view.exchanges, end: view.end };
  return {
    end: view.end,
    exchanges: view.exchanges.map((e) => ({
      request: e.request,
      status: e.status,
      code: e.code,
      frames: e.frames?.map((f) => f.split(':')[0]),
    })),
  };
}

/** A service on the platform's users prepared into a store under `dir`. */
async function startStore(items: string[], dir: string): Promise<PsiServer> {
  await prepareStore(
    join(dir, 'store'),
    { items, rows: items.map((value, i) => ({ line: i + 2, value })) },
    { workers: 1, segmentItems: 64 },
  );
  return startPsiServer({ ...policyOptions, storeDir: join(dir, 'store') });
}

interface Mode {
  name: string;
  measured?: boolean;
  /** Starts the service for one platform set. */
  start(items: string[], dir: string): Promise<PsiServer>;
  /** One hostile run against a service: its view (several sessions for a relationship). */
  run(url: string, tamper: Tamper, runId: number, list?: string[]): Promise<View[]>;
}

const modes: Mode[] = [
  ...(['x25519', 'ristretto255'] as const).map((group): Mode => ({
    name: `serve --input, ${group}`,
    start: (items) => startPsiServer({ ...policyOptions, items, group }),
    run: async (url, tamper, _runId, list = customers) => [await hostileSession(url, client(group, { items: list }), tamper)],
  })),
  {
    name: 'serve --store, x25519',
    start: startStore,
    run: async (url, tamper, _runId, list = customers) => [await hostileSession(url, client('x25519', { items: list }), tamper)],
  },
  {
    name: 'serve --store with a relationship (kept data joined in the second session)',
    start: startStore,
    run: async (url, tamper, runId, list = customers) => {
      const options: PartyOptions = { ...client('x25519', { items: list }), keyFromItems: false };
      // A relationship per run, the same on both sets: their kept data then has one history.
      const headers = { 'blindjoin-relationship': `crm-${runId}:${relationshipFingerprint(KEY_SEED)}` };
      // An honest first session keeps the set; the hostile second one is joined against what was kept.
      const first = await hostileSession(url, options, { kind: 'honest' }, { headers });
      const second = await hostileSession(url, options, tamper, { headers });
      return [first, second];
    },
  },
  {
    name: 'rows of email and phone against typed platform keys',
    start: (items) =>
      startPsiServer({
        ...policyOptions,
        items: items.flatMap((email, i) => [psiItem('email', email), psiItem('phone', `+1650555${String(1000 + i)}`)]),
      }),
    run: async (url, tamper) => {
      const rows = customers.map((email, i) => [psiItem('email', email), psiItem('phone', `+1415555${String(1000 + i)}`)]);
      return [await hostileSession(url, client('x25519', { rows }), tamper)];
    },
  },
  {
    name: 'measurement: platform and encrypted advertiser columns',
    measured: true,
    start: (items) =>
      startPsiServer({
        ...policyOptions,
        items,
        values: { spend: { values: items.map((_, i) => i % 7), bound: 10 } },
        advertiserValues: true,
      }),
    run: async (url, tamper, _runId, list = customers) => [
      await hostileSession(url, client('x25519', { items: list }), tamper, {
        measure: { platformColumns: ['spend'], values: { amount: list.map((_, i) => i % 5) }, valueBound: 10, backend: 'auto' },
      }),
    ],
  },
];

describe.each(modes)('neighbouring platform sets: $name', (mode) => {
  const servers: Record<string, PsiServer> = {};
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bj-neighbours-'));
    for (const [key, withTarget, size] of [
      ['with', true, 'same'],
      ['filler', false, 'same'],
      ['without', false, 'added'],
    ] as const) {
      await mkdir(join(dir, key));
      servers[key] = await mode.start(platform(withTarget, size), join(dir, key));
    }
  });

  afterAll(async () => {
    for (const server of Object.values(servers)) await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  let runs = 0;
  const runBoth = async (tamper: Tamper, other: 'filler' | 'without', list?: string[]) => {
    const runId = runs++;
    const a = await mode.run(servers['with']!.url, tamper, runId, list);
    const b = await mode.run(servers[other]!.url, tamper, runId, list);
    return [a, b] as const;
  };

  it('the attacks of the issue that found membership give the same view', async () => {
    const attacks: Tamper[] = [
      { kind: 'copyNext', parity: 0 },
      { kind: 'copyNext', parity: 1 },
      { kind: 'flip', at: 0.5, byte: 20, bit: 3 },
      ...(mode.measured ? ([{ kind: 'badCiphertexts', every: true, at: 0 }] satisfies Tamper[]) : []),
    ];
    // The target alone among made-up addresses: only its row can match, so any check made at matched rows only shows.
    const probe = [TARGET, ...Array.from({ length: 110 }, (_, i) => `made-up${i}@example.com`)];
    for (const list of [customers, probe]) {
      for (const tamper of attacks) {
        const [a, b] = await runBoth(tamper, 'filler', list);
        expect(
          a.map((v) => comparable(v, true)),
          JSON.stringify(tamper),
        ).toEqual(b.map((v) => comparable(v, true)));
      }
    }
  });

  it('any hostile client sees the same until the release (strict neighbours)', async () => {
    await fc.assert(
      fc.asyncProperty(tamperArb(mode.measured === true), async (tamper) => {
        const [a, b] = await runBoth(tamper, 'filler');
        expect(a.map((v) => comparable(v, true))).toEqual(b.map((v) => comparable(v, true)));
      }),
      { numRuns: 8 },
    );
  });

  it('any hostile client sees the same statuses, codes and frames with and without the target (added neighbours)', async () => {
    await fc.assert(
      fc.asyncProperty(tamperArb(mode.measured === true), async (tamper) => {
        const [a, b] = await runBoth(tamper, 'without');
        expect(a.map((v) => comparable(v, false))).toEqual(b.map((v) => comparable(v, false)));
      }),
      { numRuns: 5 },
    );
  });
});
