import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type OpenedStore } from '../../src/store/reader.js';
import { openRelationship, type Relationship } from '../../src/store/relationship.js';
import { prepareStore } from '../../src/store/writer.js';
import { codeOf } from '../protocol/helpers.js';
import { users, withDir } from './helpers.js';

const fingerprint = 'ab'.repeat(32);
const relDirOf = (store: OpenedStore, id: string) =>
  join(store.dir, 'relationships', `epoch-${store.epoch}`, createHash('sha256').update('owner').update('\0').update(id).digest('hex'));

/** A session that returned every sent element as it was (a stand-in for the client's re-blinding), then committed. */
async function keepAll(rel: Relationship): Promise<void> {
  await rel.set.keep!(0, await rel.set.read(0, rel.set.size));
  await rel.commit();
}

async function withStore(fn: (store: OpenedStore) => Promise<void>): Promise<void> {
  await withDir(async (dir) => {
    await prepareStore(join(dir, 'store'), users(100), { segmentItems: 16, workers: 1 });
    const store = await openStore(join(dir, 'store'));
    try {
      await fn(store);
    } finally {
      store.close();
    }
  });
}

describe('a relationship on disk', () => {
  it('joins a later session from its sorted kept set: the kept element equal to each, with the rows the store has there', async () => {
    await withStore(async (store) => {
      await keepAll(await openRelationship(store, 'owner', { id: 'crm', fingerprint }));
      const rel = await openRelationship(store, 'owner', { id: 'crm', fingerprint });
      expect([rel.sent, rel.kept]).toEqual([0, 100]);
      const elements = await store.set.read(0, 100);
      const wanted = [3, 40, 99].map((p) => elements.slice(p * 32, (p + 1) * 32));
      const ascending = new Uint8Array(Buffer.concat(wanted.map((w) => Buffer.from(w)).sort(Buffer.compare)));
      const matches = await rel.set.joinKept!(ascending);
      const indices = matches.map((m) => m.index).sort((a, b) => a - b);
      expect(indices).toEqual([3, 40, 99]);
      expect(await rel.rowsOf(indices)).toEqual(await store.rowsOf([3, 40, 99]));
    });
  });

  it('starts a state of the format before (unsorted kept files) afresh, and its next commit removes those files', async () => {
    await withStore(async (store) => {
      const dir = relDirOf(store, 'crm');
      const first = await openRelationship(store, 'owner', { id: 'crm', fingerprint });
      await first.discard();
      const source = store.manifest.segments[0]!.elements;
      const old = await store.set.read(0, 16);
      await writeFile(join(dir, `seg-0-${source.slice(0, 16)}.ab`), old);
      const sha256 = createHash('sha256').update(old).digest('hex');
      await writeFile(join(dir, 'state.json'), JSON.stringify({ fingerprint, segments: { 0: { source, sha256 } } }));
      const rel = await openRelationship(store, 'owner', { id: 'crm', fingerprint });
      expect([rel.sent, rel.kept]).toEqual([100, 0]);
      await keepAll(rel);
      expect((await readdir(dir)).filter((f) => f.endsWith('.ab'))).toEqual([]);
      expect(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'))).toMatchObject({ format: 2, fingerprint });
      const next = await openRelationship(store, 'owner', { id: 'crm', fingerprint });
      expect([next.sent, next.kept]).toEqual([0, 100]);
    });
  });

  it('replaces its kept set at each commit and removes the one before', async () => {
    await withStore(async (store) => {
      await keepAll(await openRelationship(store, 'owner', { id: 'crm', fingerprint }));
      // Another key: everything is sent and kept again.
      const other = 'cd'.repeat(32);
      const rel = await openRelationship(store, 'owner', { id: 'crm', fingerprint: other });
      expect(rel.sent).toBe(100);
      await keepAll(rel);
      const files = (await readdir(relDirOf(store, 'crm'))).filter((f) => f.startsWith('kept-'));
      expect(files).toHaveLength(2);
    });
  });

  it('commits after a concurrent session of the relationship replaced the kept set it started from: what that held is sent again', async () => {
    await withStore(async (store) => {
      // The first session keeps segments 0-5 (96 elements) of 7, not the last.
      const first = await openRelationship(store, 'owner', { id: 'crm', fingerprint });
      await first.set.keep!(0, await first.set.read(0, 96));
      await first.commit();
      const [a, b] = [
        await openRelationship(store, 'owner', { id: 'crm', fingerprint }),
        await openRelationship(store, 'owner', { id: 'crm', fingerprint }),
      ];
      expect([a.sent, b.sent]).toEqual([4, 4]);
      await keepAll(a);
      await keepAll(b);
      const next = await openRelationship(store, 'owner', { id: 'crm', fingerprint });
      expect([next.sent, next.kept]).toEqual([96, 4]);
      const last = await store.set.read(96, 100);
      const ascending = new Uint8Array(
        Buffer.concat(Array.from({ length: 4 }, (_, i) => Buffer.from(last.subarray(i * 32, (i + 1) * 32))).sort(Buffer.compare)),
      );
      expect((await next.set.joinKept!(ascending)).map((m) => m.index).sort((x, y) => x - y)).toEqual([96, 97, 98, 99]);
    });
  });

  it.each([
    ['truncated', async (data: string) => truncate(data, 40 * 50)],
    [
      'swapped for another relationship of the same store',
      async (data: string, store: OpenedStore) => {
        const [otherData] = (await readdir(relDirOf(store, 'other'))).filter((f) => f.endsWith('.sorted'));
        await copyFile(join(relDirOf(store, 'other'), otherData!), data);
      },
    ],
  ])('refuses a kept set %s (STORE_CORRUPT) before anything of it is joined', async (_how, change) => {
    await withStore(async (store) => {
      await keepAll(await openRelationship(store, 'owner', { id: 'crm', fingerprint }));
      // Another relationship keeps the same elements in another order: a file of the same length and records.
      const other = await openRelationship(store, 'owner', { id: 'other', fingerprint });
      const reversed = await other.set.read(0, 100);
      const swapped = new Uint8Array(reversed.length);
      for (let i = 0; i < 100; i++) swapped.set(reversed.subarray((99 - i) * 32, (100 - i) * 32), i * 32);
      await other.set.keep!(0, swapped);
      await other.commit();
      const [data] = (await readdir(relDirOf(store, 'crm'))).filter((f) => f.endsWith('.sorted'));
      await change(join(relDirOf(store, 'crm'), data!), store);
      const rel = await openRelationship(store, 'owner', { id: 'crm', fingerprint });
      const all = await store.set.read(0, 100);
      const ascending = new Uint8Array(
        Buffer.concat(Array.from({ length: 100 }, (_, i) => Buffer.from(all.subarray(i * 32, (i + 1) * 32))).sort(Buffer.compare)),
      );
      expect(await codeOf(() => rel.set.joinKept!(ascending))).toBe('STORE_CORRUPT');
    });
  });
});
