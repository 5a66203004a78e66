import { readdirSync, readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { storePaths } from '../../src/store/layout.js';
import { blindjoin, captured, never, serveInProcess } from '../cli/serve-in-process.js';
import { withDir } from './helpers.js';

const csv = (header: string, rows: string[]) => `${header}\n${rows.join('\n')}\n`;

describe('blindjoin prepare and serve --store', () => {
  it('prepares, serves, updates and rolls the epoch over, naming user ids in results', async () => {
    await withDir(async (dir) => {
      const users = Array.from({ length: 120 }, (_, i) => `id${i},user${i}@example.com`);
      await writeFile(join(dir, 'users.csv'), csv('user_id,email', users));
      await writeFile(join(dir, 'added.csv'), csv('user_id,email', ['id900,new1@example.com', 'id901,new2@example.com']));
      await writeFile(join(dir, 'removed.csv'), csv('user_id,email', ['id3,user3@example.com']));
      await writeFile(
        join(dir, 'customers.csv'),
        csv('email', ['user3@example.com', 'USER7@example.com', 'new1@example.com', 'zed@example.com']),
      );
      const store = join(dir, 'store');
      const flags = ['--column', 'email', '--type', 'email', '--emit', 'user_id', '--workers', '1'];
      const preparing = captured();
      expect(
        await run(blindjoin('prepare', '--store', store, '--input', join(dir, 'users.csv'), ...flags, '--epoch', 'e1'), preparing, never),
      ).toBe(0);
      expect(preparing.stderr).toMatch(/epoch e1 prepared \(x25519\): 120 elements/);
      expect((await stat(storePaths(store, 'e1').key)).mode & 0o777).toBe(0o600);
      const again = captured();
      expect(await run(blindjoin('prepare', '--store', store, '--input', join(dir, 'users.csv'), ...flags), again, never)).toBe(1);
      expect(again.stderr).toMatch(/OPTIONS_INVALID.*already serves epoch e1/);

      const { url, serving, stop } = await serveInProcess(
        '--store',
        store,
        '--port',
        '0',
        '--workers',
        '1',
        '--disclosure',
        'exact',
        '--peer-learns',
        'intersection',
        '--min-items',
        '1',
        '--out',
        join(dir, 'out'),
      );
      expect(serving.stderr).toMatch(/serving store .*, epoch e1 \(x25519, 120 elements/);
      const match = async () => {
        const io = captured();
        const args = ['match', '--server', url, '--input', join(dir, 'customers.csv'), '--column', 'email', '--type', 'email'];
        expect(await run(blindjoin(...args, '--json', '--workers', '1', '--learn', 'intersection'), io, never), io.stderr).toBe(0);
        return JSON.parse(io.stdout) as { size: number; peerSize: number };
      };
      expect(await match()).toMatchObject({ size: 2, peerSize: 120 });

      const updating = captured();
      const update = ['prepare', '--store', store, '--add', join(dir, 'added.csv'), '--remove', join(dir, 'removed.csv'), ...flags];
      expect(await run(blindjoin(...update), updating, never), updating.stderr).toBe(0);
      expect(updating.stderr).toMatch(/2 added, 0 already stored \(rows added\), 1 removed, 0 to remove not found; 122 elements/);
      // The running service takes the update at its next session: user3 is gone, new1 is there.
      expect(await match()).toMatchObject({ size: 2, peerSize: 122 });
      expect(serving.stderr).toMatch(/epoch e1 \(x25519, 122 elements, 1 removed/);

      const rolling = captured();
      const roll = ['prepare', '--store', store, '--input', join(dir, 'users.csv'), ...flags, '--next-epoch', '--epoch', 'e2'];
      expect(await run(blindjoin(...roll), rolling, never), rolling.stderr).toBe(0);
      expect(await match()).toMatchObject({ size: 2, peerSize: 120 });
      expect(serving.stderr).toMatch(/serving store .*, epoch e2 \(x25519, 120 elements/);
      expect(await stop()).toBe(0);
      // Result files name the platform's user ids, from the row map: the first session matched id3 and id7, the last id7 and id900.
      const files = readdirSync(join(dir, 'out'))
        .filter((f) => f.endsWith('.csv'))
        .sort();
      expect(files).toHaveLength(3);
      const rows = files.map((f) => readFileSync(join(dir, 'out', f), 'utf8'));
      expect(rows[0]).toMatch(/^line,user_id\n5,id3\n9,id7\n$/);
      expect(rows[1]).toMatch(/^line,user_id\n9,id7\n2,id900\n$/);
    });
  });

  it('match --key-file keeps a relationship key (0600): the next session is sent only what changed', async () => {
    await withDir(async (dir) => {
      await writeFile(
        join(dir, 'users.csv'),
        csv(
          'email',
          Array.from({ length: 300 }, (_, i) => `user${i}@example.com`),
        ),
      );
      await writeFile(
        join(dir, 'customers.csv'),
        csv(
          'email',
          Array.from({ length: 50 }, (_, i) => `user${i * 7}@example.com`),
        ),
      );
      const store = join(dir, 'store');
      expect(
        await run(
          blindjoin('prepare', '--store', store, '--input', join(dir, 'users.csv'), '--column', 'email', '--type', 'email'),
          captured(),
          never,
        ),
      ).toBe(0);
      const policy = ['--min-items', '1', '--budget', '100', '--epsilon', '1', '--state-dir', join(dir, 'state')];
      const { url, serving, stop } = await serveInProcess('--store', store, '--port', '0', '--workers', '1', ...policy);
      const keyFile = join(dir, 'platform.key');
      const match = async (...extra: string[]) => {
        const io = captured();
        const args = ['match', '--server', url, '--input', join(dir, 'customers.csv'), '--column', 'email', '--type', 'email', '--json'];
        const flags = ['--workers', '1', '--key-file', keyFile, '--relationship', 'crm', ...extra];
        expect(await run(blindjoin(...args, ...flags), io, never), io.stderr).toBe(0);
        return { report: JSON.parse(io.stdout) as { blindedCacheHits?: number; items: number }, stderr: io.stderr };
      };
      const first = await match();
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect(first.report.blindedCacheHits).toBe(0);
      // The customers' blinded elements are kept next to the key file for the next session.
      const cacheFile = `${keyFile}.crm.blinded`;
      expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
      const second = await match();
      expect(second.report).toMatchObject({ blindedCacheHits: 50 });
      expect(serving.stderr).toMatch(/relationship crm: 300 elements sent, 0 kept[\s\S]*relationship crm: 0 elements sent, 300 kept/);
      // A damaged cache is ignored with a warning, the match goes on and the file is written afresh.
      const bytes = await readFile(cacheFile);
      bytes[bytes.length - 1]! ^= 1;
      await writeFile(cacheFile, bytes);
      const damaged = await match();
      expect(damaged.stderr).toMatch(/ignoring the blinded cache .*checksum/);
      expect(damaged.report).toMatchObject({ blindedCacheHits: 0, items: 50 });
      expect((await match()).report.blindedCacheHits).toBe(50);
      // --no-blinded-cache neither reads nor reports one.
      expect((await match('--no-blinded-cache')).report.blindedCacheHits).toBeUndefined();
      expect(await stop()).toBe(0);
    });
  });
});
