import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fileAudienceStore } from '../../src/service/audiences/file-records.js';
import type { AudienceUpdate } from '../../src/service/audiences/model.js';
import { codeOf } from '../protocol/helpers.js';

const DAY = 86_400_000;
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const update = (users: string[], at: number): AudienceUpdate => ({
  mode: 'replace',
  columns: ['user_id'],
  users: users.map((u) => [u]),
  released: null,
  sent: users.length,
  at,
});

it('keeps every name inside its token directory, one members file per audience', async () => {
  const out = await mkdtemp(join(tmpdir(), 'bj-aud-files-'));
  dirs.push(out);
  const store = fileAudienceStore(out);
  for (const name of ['..', '.hidden', 'a/b', 'Spring buyers', 'x%2Fy']) await store.update('acme', name, update(['u1', 'u,2'], 0));
  const files = (await readdir(join(out, 'audiences', 'acme'))).sort();
  expect(files).toEqual(['%2E..csv', '%2Ehidden.csv', 'Spring%20buyers.csv', 'a%2Fb.csv', 'x%252Fy.csv']);
  expect(await readFile(join(out, 'audiences', 'acme', 'a%2Fb.csv'), 'utf8')).toBe('user_id\nu1\n"u,2"\n');
  expect((await store.list('acme')).map((a) => a.name)).toEqual(['..', '.hidden', 'Spring buyers', 'a/b', 'x%2Fy']);
  expect((await store.get('acme', 'a/b'))?.members).toEqual([['u1'], ['u,2']]);
});

it('expires what it can when one audience is unreadable, and ignores files it did not write', async () => {
  const out = await mkdtemp(join(tmpdir(), 'bj-aud-files-'));
  dirs.push(out);
  const store = fileAudienceStore(out, { retentionMs: DAY });
  await store.update('acme', 'Old', update(['u1'], 0));
  await store.update('acme', 'Broken', update(['u2'], 0));
  await store.update('acme', 'Fresh', update(['u3'], 2 * DAY));
  await writeFile(join(out, 'audience-meta', 'acme', 'Broken.json'), '{ not json');
  await writeFile(join(out, 'audience-meta', 'acme', 'stray%ZZ.json'), '{}');
  expect(await codeOf(() => store.expire(2 * DAY + 1))).toBe('AUDIENCE_CORRUPT');
  expect(await store.get('acme', 'Old', 2 * DAY + 1)).toBeUndefined();
  expect((await store.get('acme', 'Fresh', 2 * DAY + 1))?.members).toEqual([['u3']]);
  const log = (await readFile(join(out, 'audiences.jsonl'), 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { change: string; audience: string });
  expect(log.filter((e) => e.change === 'expired').map((e) => e.audience)).toEqual(['Old']);
});
