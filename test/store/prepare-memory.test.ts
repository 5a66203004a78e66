import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../cli/build.js';
import { withDir } from './helpers.js';

beforeAll(ensureBuilt, 180_000);

/** A CSV of `n` users, user_id and email, written as a stream. */
async function usersCsv(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('user_id,email\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `id${i},user${i}@example.com\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

/** Runs `prepare` of `n` users in a child process; its peak resident set in MiB, as GNU time measures it. */
async function preparePeak(dir: string, n: number): Promise<number> {
  const input = join(dir, `users-${n}.csv`);
  await usersCsv(input, n);
  const args = ['prepare', '--store', join(dir, `store-${n}`), '--input', input, '--column', 'email', '--type', 'email'];
  const { stderr } = await promisify(execFile)(
    '/usr/bin/time',
    ['-v', process.execPath, CLI, ...args, '--emit', 'user_id', '--workers', '1'],
    {
      maxBuffer: 1 << 24,
    },
  );
  expect(stderr).toMatch(new RegExp(`prepared \\(x25519\\): ${n} elements`));
  const kib = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  expect(kib).not.toBeNull();
  return Number(kib![1]) / 1024;
}

describe('prepare streams its input', () => {
  // Holding the input, prepare peaked at 741 MiB for 10^6 users (2.8 GiB for 10^7): bucket files on disk keep it bounded.
  it('prepares 10^6 users in under 512 MiB', async () => {
    await withDir(async (dir) => {
      expect(await preparePeak(dir, 1_000_000)).toBeLessThan(512);
    });
  }, 1_800_000);
});
