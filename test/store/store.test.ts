import { bytesToHex } from '@noble/hashes/utils.js';
import { chmod, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { asBlindedSetData, blindSet } from '../../src/protocol/blinded-set.js';
import { storePaths } from '../../src/store/layout.js';
import { openStore } from '../../src/store/reader.js';
import { prepareStore } from '../../src/store/writer.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { users, withDir } from './helpers.js';

const platform = users(200);

function elementsOf(packed: Uint8Array): string[] {
  return Array.from({ length: packed.length / 32 }, (_, i) => bytesToHex(packed.subarray(32 * i, 32 * i + 32))).sort();
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  return e instanceof PsiError ? e.code : String(e);
}

/** Prepares `platform` in `dir`/store as epoch e1, segments of 30. */
async function prepared(dir: string): Promise<string> {
  const store = join(dir, 'store');
  await prepareStore(store, platform, { epoch: 'e1', segmentItems: 30, workers: 1 });
  return store;
}

/** The elements the platform's items blind to under the store's key. */
async function expectedElements(store: string): Promise<string[]> {
  const key = new Uint8Array(await readFile(storePaths(store, 'e1').key));
  return elementsOf(asBlindedSetData(await blindSet(platform.items, { key, workers: 1 })).elements);
}

describe('store round trip', () => {
  it('holds every user blinded under the epoch key, in a shuffled order, with its row', async () => {
    await withDir(async (dir) => {
      const store = await prepared(dir);
      const opened = await openStore(store);
      try {
        expect(opened.epoch).toBe('e1');
        expect(opened.manifest).toMatchObject({ format: 1, group: 'x25519', elements: 200, items: 200, removed: 0, segmentItems: 30 });
        expect(opened.manifest.segments).toHaveLength(7);
        expect((await stat(storePaths(store, 'e1').key)).mode & 0o777).toBe(0o600);
        const all = await opened.set.read(0, 200);
        expect(elementsOf(all)).toEqual(await expectedElements(store));
        // A random order: not the input order (the first rows of the map are not lines 2, 3, ...).
        const firstRows = await Promise.all([0, 1, 2, 3].map(async (p) => (await opened.rowsOf([p]))[0]!.row.line));
        expect(firstRows).not.toEqual([2, 3, 4, 5]);
        const rows = await opened.rowsOf(Array.from({ length: 200 }, (_, p) => p));
        expect(rows.map((r) => r.row)).toEqual(platform.rows);
      } finally {
        opened.close();
      }
    });
  });
});

describe('a store that does not verify is refused, and nothing is served', () => {
  const cases: [string, (store: string) => Promise<void>, string][] = [
    ['a truncated segment', (s) => truncate(storePaths(s, 'e1').elements(2, 0), 100), 'STORE_CORRUPT'],
    [
      'a flipped byte in a segment',
      async (s) => {
        const path = storePaths(s, 'e1').elements(4, 0);
        const bytes = await readFile(path);
        bytes[17]! ^= 0x01;
        await writeFile(path, bytes);
      },
      'STORE_CORRUPT',
    ],
    [
      'a flipped byte in the row map',
      async (s) => {
        const path = storePaths(s, 'e1').rows(0, 0);
        const bytes = await readFile(path);
        bytes[bytes.length - 3]! ^= 0x20;
        await writeFile(path, bytes);
      },
      'STORE_CORRUPT',
    ],
    [
      'a manifest of another epoch',
      async (s) => {
        const path = storePaths(s, 'e1').manifest;
        await writeFile(path, (await readFile(path, 'utf8')).replace('"epoch": "e1"', '"epoch": "e0"'));
      },
      'STORE_EPOCH_MISMATCH',
    ],
    ['a current pointer naming a missing epoch', (s) => writeFile(join(s, 'current'), 'e9\n'), 'STORE_NOT_FOUND'],
    ['a group-readable key file', (s) => chmod(storePaths(s, 'e1').key, 0o640), 'STORE_KEY_EXPOSED'],
    ['a world-readable key file', (s) => chmod(storePaths(s, 'e1').key, 0o604), 'STORE_KEY_EXPOSED'],
    ['an emptied row map', (s) => truncate(storePaths(s, 'e1').rows(6, 0), 0), 'STORE_CORRUPT'],
    ['a missing segment', (s) => unlink(storePaths(s, 'e1').elements(3, 0)), 'STORE_NOT_FOUND'],
  ];
  it.each(cases)('%s', async (_, damage, code) => {
    await withDir(async (dir) => {
      const store = await prepared(dir);
      await damage(store);
      expect(await codeOf(openStore(store))).toBe(code);
      expect(await codeOf(startPsiServer({ storeDir: store, workers: 1 }))).toBe(code);
    });
  });

  it('refuses an epoch or group other than the one asked for', async () => {
    await withDir(async (dir) => {
      const store = await prepared(dir);
      expect(await codeOf(openStore(store, { epoch: 'e2' }))).toBe('STORE_EPOCH_MISMATCH');
      expect(await codeOf(openStore(store, { group: 'ristretto255' }))).toBe('STORE_EPOCH_MISMATCH');
      expect(await codeOf(openStore(join(dir, 'nothing')))).toBe('STORE_NOT_FOUND');
    });
  });
});

describe('prepare resumes after a crash', () => {
  it('continues after the last segment written, keeping the key, the order and the segments already written', async () => {
    await withDir(async (dir) => {
      const store = join(dir, 'store');
      const stop = new AbortController();
      const opts = { epoch: 'e1', segmentItems: 30, workers: 1 };
      const crashed = prepareStore(store, platform, {
        ...opts,
        signal: stop.signal,
        onProgress: (done) => {
          if (done === 3) stop.abort(new Error('simulated crash'));
        },
      });
      await expect(crashed).rejects.toThrow('simulated crash');
      expect(await codeOf(openStore(store, { epoch: 'e1' }))).toBe('STORE_INCOMPLETE');
      const paths = storePaths(store, 'e1');
      const before = await Promise.all([0, 1, 2].map(async (s) => (await stat(paths.elements(s, 0))).ino));
      const progress: number[] = [];
      await prepareStore(store, platform, { ...opts, onProgress: (done) => progress.push(done) });
      expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(await Promise.all([0, 1, 2].map(async (s) => (await stat(paths.elements(s, 0))).ino))).toEqual(before);
      const opened = await openStore(store);
      try {
        expect(elementsOf(await opened.set.read(0, 200))).toEqual(await expectedElements(store));
        expect((await opened.rowsOf(Array.from({ length: 200 }, (_, p) => p))).map((r) => r.row)).toEqual(platform.rows);
      } finally {
        opened.close();
      }
    });
  });

  it('refuses to resume with another input', async () => {
    await withDir(async (dir) => {
      const store = join(dir, 'store');
      const stop = new AbortController();
      await prepareStore(store, platform, {
        epoch: 'e1',
        segmentItems: 30,
        workers: 1,
        signal: stop.signal,
        onProgress: () => stop.abort(new Error('simulated crash')),
      }).catch(() => undefined);
      expect(await codeOf(prepareStore(store, users(201), { epoch: 'e1', segmentItems: 30, workers: 1 }))).toBe('STORE_EPOCH_MISMATCH');
    });
  });
});

describe('a running service and a store that changes', () => {
  it('keeps serving the last good epoch when the changed store does not verify, and says so', async () => {
    await withDir(async (dir) => {
      const store = await prepared(dir);
      const log: string[] = [];
      const service = await startPsiServer({
        storeDir: store,
        workers: 1,
        disclosure: 'exact',
        peerLearns: 'size',
        minItems: 1,
        log: (l) => log.push(l),
      });
      try {
        const path = storePaths(store, 'e1').manifest;
        const manifest = JSON.parse(await readFile(path, 'utf8')) as { updatedAt: string; segments: { elements: string }[] };
        manifest.updatedAt = new Date(Date.now() + 1000).toISOString();
        manifest.segments[0]!.elements = '0'.repeat(64);
        await writeFile(path, JSON.stringify(manifest));
        const got = await matchOverHttp({ server: service.url, items: users(20, 190).items, workers: 1 });
        expect(got.size).toBe(10);
        expect(log.join('\n')).toMatch(/changed but does not verify; still serving epoch e1: .*fails its SHA-256 checksum/);
      } finally {
        await service.close();
      }
    });
  });
});
