import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/atomic-file.js';
import { writeSessionResult } from '../../src/service/result-files.js';
import type { SessionResult } from '../../src/service/result.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-results-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const result: SessionResult = {
  summary: {
    sessionId: 'ab'.repeat(16),
    tokenId: 'acme',
    learn: 'intersection',
    peerLearns: 'size',
    items: 3,
    rows: 3,
    peerSize: 2,
    size: 1,
    matched: 1,
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:04:06.789Z',
    durationMs: 1789,
  },
  rows: [{ line: 2, value: 'b@example.com' }],
};
// The names writeSessionResult derives from the summary: the stamp is finishedAt without - : .
const base = `20260102T030406789Z-${'ab'.repeat(16)}`;
const names = [`${base}.matches.csv`, `${base}.summary.json`];

describe('result files appear by temp file + rename', () => {
  it('replaces pre-existing files with new inodes, leaving no temporary file', async () => {
    const before = new Map<string, number>();
    for (const name of names) {
      await writeFile(join(dir, name), 'old content\n');
      before.set(name, (await stat(join(dir, name))).ino);
    }
    const path = await writeSessionResult(dir, result);
    expect(path).toBe(join(dir, names[1]!));
    expect((await readdir(dir)).sort()).toEqual([...names].sort());
    for (const name of names) {
      // A plain write would truncate and refill the same inode, which a reader could see half-written.
      expect((await stat(join(dir, name))).ino).not.toBe(before.get(name));
    }
    expect(await readFile(join(dir, names[0]!), 'utf8')).toBe('line,value\n2,b@example.com\n');
    expect(JSON.parse(await readFile(join(dir, names[1]!), 'utf8'))).toMatchObject({ sessionId: 'ab'.repeat(16), rowsFile: names[0] });
  });

  it('writeAtomically: a write failing mid-way leaves the old content and no temporary file', async () => {
    const target = join(dir, 'upload.txt');
    await writeFile(target, 'old content\n');
    const ino = (await stat(target)).ino;
    const failure = new Error('disk full (simulated)');
    await expect(
      writeAtomically(target, async (file) => {
        await file.write('new content, first half');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await readFile(target, 'utf8')).toBe('old content\n');
    expect((await stat(target)).ino).toBe(ino);
    expect(await readdir(dir)).toEqual(['upload.txt']);
  });

  it('writeAtomically: a successful write is a new inode with mode 0600 and nothing else in the directory', async () => {
    const target = join(dir, 'upload.txt');
    await writeFile(target, 'old content\n');
    const ino = (await stat(target)).ino;
    await writeAtomically(target, async (file) => {
      await file.write('new content\n');
    });
    const now = await stat(target);
    expect(now.ino).not.toBe(ino);
    expect(now.mode & 0o777).toBe(0o600);
    expect(await readFile(target, 'utf8')).toBe('new content\n');
    expect(await readdir(dir)).toEqual(['upload.txt']);
  });
});
