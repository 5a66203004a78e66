import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/program.js';
import { startPsiServer } from '../../src/service.js';
import { codeOf } from '../protocol/helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-outdir-'));
  await writeFile(join(dir, 'a-file'), 'not a directory\n');
  await writeFile(join(dir, 'platform.csv'), 'email\nann@example.com\nbob@example.com\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('an unusable --out is refused at start, not at the end of each session', () => {
  // Each of these once hung (Node's recursive mkdir loops on /proc) or passed until the first result.
  it.each([
    ['under /proc', () => '/proc/blindjoin-x'],
    ['nested under /proc', () => '/proc/blindjoin-x/y/z'],
    ['under a regular file', () => join(dir, 'a-file', 'results')],
  ])(
    'startPsiServer with outDir %s rejects with OUT_DIR_UNUSABLE, naming the file system error',
    async (_, outDir) => {
      const start = startPsiServer({ disclosure: 'exact', items: ['ann@example.com'], outDir: outDir(), workers: 1 });
      expect(await codeOf(() => start)).toBe('OUT_DIR_UNUSABLE');
      // The file system's own answer, not the start-up timeout that only guards against a hang.
      const message = await start.catch((e: Error) => e.message);
      expect(message).toMatch(/ENOENT|ENOTDIR/);
      expect(message).not.toMatch(/no answer from the file system/);
    },
    10_000,
  );

  it('a usable outDir is created and left empty (the probe file is removed)', async () => {
    const { readdir } = await import('node:fs/promises');
    const out = join(dir, 'fresh', 'results');
    const service = await startPsiServer({ disclosure: 'exact', items: ['ann@example.com'], outDir: out, workers: 1 });
    await service.close();
    expect(await readdir(out)).toEqual([]);
  });

  it('blindjoin serve --out /proc/x exits 1 with OUT_DIR_UNUSABLE and never listens', async () => {
    const io: CliIo & { stdout: string; stderr: string } = {
      stdout: '',
      stderr: '',
      tty: false,
      out: (s: string) => void (io.stdout += s),
      err: (s: string) => void (io.stderr += s),
    };
    const args = [
      'serve',
      '--port',
      '0',
      '--input',
      join(dir, 'platform.csv'),
      '--column',
      'email',
      '--type',
      'email',
      '--out',
      '/proc/x',
      '--workers',
      '1',
    ];
    // Aborted after a while only so that a regression fails this test instead of hanging it.
    const code = await run(['node', 'blindjoin', ...args], io, AbortSignal.timeout(8_000));
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/blindjoin: OUT_DIR_UNUSABLE: .*ENOENT/);
    expect(io.stdout).not.toMatch(/listening on/);
  }, 10_000);
});
