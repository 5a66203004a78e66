/**
 * Until the release, a client's whole view depends only on what it sent, never
 * on which elements matched: timing included. These tests measure the
 * mechanism, not the clock: which work the service does before it answers a
 * session's last frame. Reading the matched rows, writing the result and the
 * audience all grow with the number of matches, so none of them may run before
 * that answer; under a disclosure policy the count behind the released figure
 * must read as many rows whoever matched.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { PsiParty } from '../../src/protocol/party.js';
import { memoryAudienceRecords, RetainedAudiences, type AudienceStore } from '../../src/service/audiences/store.js';
import { SessionService } from '../../src/service/engine.js';
import { openStoreSets, type StoreSets } from '../../src/service/store-sets.js';
import type { TokenEntry } from '../../src/service/tokens.js';
import type { OpenedStore } from '../../src/store/reader.js';
import { prepareStore } from '../../src/store/writer.js';
import type { AudienceTarget } from '../../src/wire/audience.js';
import { users, withDir } from '../store/helpers.js';
import { drive } from './drive.js';

const acme: TokenEntry = { id: 'acme' };
const TARGET = 'target@example.com';
const FILLER = 'filler@example.com';
const NOISE_KEY = new Uint8Array(32).fill(5);

/** What the service did, in order: each answer it gave, and each piece of match-dependent work. */
type Event = { kind: 'answer' } | { kind: 'rows'; positions: number } | { kind: 'release' } | { kind: 'result' } | { kind: 'audience' };

/** `n` addresses no platform holds. */
const nobody = (n: number) => Array.from({ length: n }, (_, i) => `nobody${i}@example.com`);

/** A store's every read of rows (any method taking positions) recorded, with how many positions it read. */
function recordedStore(store: OpenedStore, events: Event[]): OpenedStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => {
        const [positions] = args;
        if (Array.isArray(positions)) events.push({ kind: 'rows', positions: positions.length });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** The store's sets, each lease's store and its release recorded. */
function recordedSets(sets: StoreSets, events: Event[]): StoreSets {
  return {
    get current() {
      return sets.current;
    },
    async acquire() {
      const lease = await sets.acquire();
      const release = () => {
        events.push({ kind: 'release' });
        lease.release();
      };
      return { ...lease, store: recordedStore(lease.store!, events), release };
    },
    close: () => sets.close(),
  };
}

/** An audience store whose every update is recorded. */
function recordedAudiences(events: Event[]): AudienceStore {
  const inner = new RetainedAudiences(memoryAudienceRecords());
  return {
    get: (tokenId, name, now) => inner.get(tokenId, name, now),
    list: (tokenId, now) => inner.list(tokenId, now),
    delete: (tokenId, name, now) => inner.delete(tokenId, name, now),
    expire: (now) => inner.expire(now),
    async update(tokenId, name, update) {
      events.push({ kind: 'audience' });
      return inner.update(tokenId, name, update);
    },
  };
}

/** The advertiser's party of these tests: small chunks, one thread; learning the size or a released figure. */
const clientOf = (items: string[], learn: 'size' | 'released') =>
  new PsiParty({ role: 'initiator', items, learn, peerLearns: 'intersection', workers: 1, chunkItems: 16 });

/** Runs a whole session as the HTTP client does, recording each answer; resolves the session's id. */
function driveRecording(service: SessionService, client: PsiParty, events: Event[], audience?: AudienceTarget): Promise<string> {
  // Not the status: tests hold the work after the answer back, and read it themselves.
  return drive(service, acme, client, {
    ...(audience === undefined ? {} : { audience }),
    onAnswer: () => events.push({ kind: 'answer' }),
    status: false,
  });
}

/** The events before the session's last answer, and those after it. */
function split(events: readonly Event[]): { before: Event[]; after: Event[] } {
  const last = events.map((e) => e.kind).lastIndexOf('answer');
  return { before: events.slice(0, last), after: events.slice(last + 1) };
}

const positionsRead = (events: readonly Event[]) => events.reduce((n, e) => n + (e.kind === 'rows' ? e.positions : 0), 0);

/** Prepares `items` into a store under `dir` and opens it. */
async function storeOf(dir: string, items: string[]): Promise<StoreSets> {
  await prepareStore(dir, { items, rows: items.map((value, i) => ({ line: i + 2, value })) }, { workers: 1, segmentItems: 64 });
  return openStoreSets(dir);
}

describe('the work a session does before its last answer', () => {
  it('reads no row and writes no result or audience before the last answer; all of them right after', async () => {
    await withDir(async (dir) => {
      const events: Event[] = [];
      const platform = users(150).items;
      const service = new SessionService({
        store: recordedSets(await storeOf(join(dir, 'store'), platform), events),
        disclosure: 'exact',
        workers: 1,
        chunkItems: 16,
        audiences: recordedAudiences(events),
        onResult: () => void events.push({ kind: 'result' }),
      });
      try {
        const client = clientOf([...platform.slice(0, 30), ...nobody(20)], 'size');
        const id = await driveRecording(service, client, events, { name: 'Buyers', mode: 'replace' });
        expect(client.result().size).toBe(30);
        // Reading the session back waits for what followed its answer.
        await service.status(acme, id);
        const { before, after } = split(events);
        expect(before.filter((e) => e.kind !== 'answer')).toEqual([]);
        // The store epoch stays leased until its rows are read.
        expect(after.map((e) => e.kind)).toEqual(['rows', 'release', 'result', 'audience']);
        expect(positionsRead(after)).toBe(30);
        expect((await service.audiences.show(acme.id, 'Buyers')).users).toBe(30);
      } finally {
        await service.close();
      }
    });
  });

  it('under a policy, reads as many rows before the release on neighbouring platform sets and for a list matching no one', async () => {
    await withDir(async (dir) => {
      const base = users(150).items;
      const customers = [TARGET, ...base.slice(0, 30), ...nobody(19)];
      const runs = [
        { name: 'with', platform: [...base, TARGET], list: customers },
        { name: 'without', platform: [...base, FILLER], list: customers },
        { name: 'no match', platform: [...base, TARGET], list: nobody(50) },
      ];
      const read: Record<string, { before: number; after: number; released: number | null | undefined }> = {};
      for (const run of runs) {
        const events: Event[] = [];
        const service = new SessionService({
          store: recordedSets(await storeOf(join(dir, run.name), run.platform), events),
          workers: 1,
          chunkItems: 16,
          minItems: 10,
          noiseKey: NOISE_KEY,
          budget: new MemoryBudget({ budget: 1e9 }),
          policy: { epsilon: 1000, threshold: null, significantDigits: null },
        });
        try {
          const client = clientOf(run.list, 'released');
          const id = await driveRecording(service, client, events);
          await service.status(acme, id);
          const { before, after } = split(events);
          read[run.name] = { before: positionsRead(before), after: positionsRead(after), released: client.result().released?.value };
        } finally {
          await service.close();
        }
      }
      // The figures differ (a huge epsilon keeps them near the truth); the rows read before them do not.
      expect(read.with!.released).toBe(31);
      expect(read.without!.released).toBe(30);
      expect(read['no match']!.released).toBe(0);
      expect(read.with!.before).toBeGreaterThan(0);
      expect(read.without!.before).toBe(read.with!.before);
      expect(read['no match']!.before).toBe(read.with!.before);
      // The counted rows are the result's: none is read again after the release.
      expect(read.with!.after).toBe(0);
    });
  });

  it('under a policy on the items path, looks up as many rows before the release whoever matched', async () => {
    const platform = users(150);
    const looked: number[] = [];
    for (const list of [[...platform.items.slice(0, 40), ...nobody(10)], nobody(50)]) {
      const events: Event[] = [];
      let counting = false;
      // Every row looked up by its index while the session runs is recorded.
      const rows = new Proxy(platform.rows, {
        get(target, prop, receiver) {
          if (counting && typeof prop === 'string' && /^\d+$/.test(prop)) events.push({ kind: 'rows', positions: 1 });
          return Reflect.get(target, prop, receiver) as unknown;
        },
      });
      const service = new SessionService({
        items: platform.items,
        rows,
        workers: 1,
        chunkItems: 16,
        minItems: 10,
        noiseKey: NOISE_KEY,
        budget: new MemoryBudget({ budget: 1e9 }),
      });
      try {
        counting = true;
        const client = clientOf(list, 'released');
        const id = await driveRecording(service, client, events);
        await service.status(acme, id);
        looked.push(positionsRead(split(events).before));
      } finally {
        await service.close();
      }
    }
    expect(looked[0]).toBeGreaterThan(0);
    expect(looked[1]).toBe(looked[0]);
  });
});

describe('the work that follows the last answer', () => {
  const platform = users(150).items;
  const exactClient = () => clientOf([...platform.slice(0, 30), ...nobody(20)], 'size');

  /** A gate the result handler waits at until opened. */
  function gate(): { wait: Promise<void>; open: () => void } {
    let open!: () => void;
    const wait = new Promise<void>((resolve) => (open = resolve));
    return { wait, open };
  }

  /** Whether `promise` settled within a few turns of the event loop. */
  async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let k = 0; k < 20; k++) await new Promise((resolve) => setImmediate(resolve));
    return settled;
  }

  it('a failed result write leaves the answer whole; the status, the log and the observer report RESULT_WRITE_FAILED', async () => {
    const lines: string[] = [];
    const ended: unknown[] = [];
    const completed: unknown[] = [];
    const service = new SessionService({
      items: platform,
      disclosure: 'exact',
      workers: 1,
      chunkItems: 16,
      log: (line) => lines.push(line),
      observer: { sessionEnded: (e) => ended.push(e), sessionCompleted: (s) => completed.push(s) },
      onResult: () => {
        throw new Error('disk full (injected)');
      },
    });
    try {
      const client = exactClient();
      const id = await driveRecording(service, client, []);
      expect(client.result().size).toBe(30);
      const status = await service.status(acme, id);
      expect(status).toMatchObject({ state: 'failed', error: { code: 'RESULT_WRITE_FAILED' } });
      expect(status.error?.message).toContain('disk full (injected)');
      expect(lines.filter((l) => l.includes(`session ${id}`) && l.includes('RESULT_WRITE_FAILED'))).toHaveLength(1);
      expect(ended).toEqual([{ sessionId: id, outcome: 'failed' }]);
      expect(completed).toEqual([]);
    } finally {
      await service.close();
    }
  });

  it("the token's audiences, drain and close wait for it", async () => {
    const written = gate();
    const results: unknown[] = [];
    const service = new SessionService({
      items: platform,
      disclosure: 'exact',
      workers: 1,
      chunkItems: 16,
      onResult: async (r) => {
        await written.wait;
        results.push(r);
      },
    });
    let closed: Promise<void> | undefined;
    try {
      await driveRecording(service, exactClient(), [], { name: 'Buyers', mode: 'replace' });
      const listed = service.audiences.list(acme.id);
      const otherToken = service.audiences.list('other');
      expect(await settlesSoon(otherToken)).toBe(true);
      expect(await settlesSoon(listed)).toBe(false);
      expect(await service.drain(20)).toBe(false);
      closed = service.close();
      expect(await settlesSoon(closed)).toBe(false);
      written.open();
      expect((await listed).map((a) => [a.name, a.users])).toEqual([['Buyers', 30]]);
      await closed;
      expect(results).toHaveLength(1);
    } finally {
      written.open();
      await (closed ?? service.close());
    }
  });
});
