import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MatchReport } from '../../src/cli/match.js';
import { run } from '../../src/cli/program.js';
import { blindjoin, captured, never, serveInProcess } from './serve-in-process.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const token = 'k'.repeat(40);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captured();
  const code = await run(blindjoin(...args), io, never);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('audiences and budget from the command line', () => {
  it('match --audience keeps an audience, match --json shows the budget one release lower each time, budget show/reset audit it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bj-cli-aud-'));
    dirs.push(dir);
    const csv = (rows: string[]) => `user_id,email\n${rows.map((e, i) => `u${i},${e}`).join('\n')}\n`;
    const platform = Array.from({ length: 300 }, (_, i) => `p${i}@example.com`);
    const customers = [...platform.slice(0, 150), ...Array.from({ length: 50 }, (_, i) => `c${i}@example.com`)];
    await writeFile(join(dir, 'platform.csv'), csv(platform));
    await writeFile(join(dir, 'customers.csv'), `email\n${customers.join('\n')}\n`);
    await writeFile(join(dir, 'more.csv'), `email\n${[...customers, 'late@example.com'].join('\n')}\n`);
    await writeFile(join(dir, 'removals.csv'), `email\n${platform[0]}\n`);
    await writeFile(join(dir, 'tokens'), `acme ${token}\n`);
    const state = join(dir, 'state');
    const out = join(dir, 'out');
    const { url, stop } = await serveInProcess(
      ...['--input', join(dir, 'platform.csv'), '--column', 'email', '--type', 'email', '--emit', 'user_id', '--port', '0'],
      ...['--workers', '1', '--state-dir', state, '--out', out, '--tokens-file', join(dir, 'tokens'), '--min-audience', '50'],
    );
    const server = ['--server', url, '--token', token];
    const match = (...more: string[]) =>
      cli('match', '--input', join(dir, 'customers.csv'), '--column', 'email', '--type', 'email', '--workers', '1', ...server, ...more);
    try {
      const first = await match('--json', '--audience', 'Spring buyers');
      expect(first.code, first.stderr).toBe(0);
      const one = JSON.parse(first.stdout) as MatchReport;
      expect(one.budget).toMatchObject({ spent: 0.25, remaining: 0.75, window: '30d', releasesLeft: 3 });
      expect(typeof one.budget?.nextCreditAt).toBe('string');
      expect(one.audience).toMatchObject({ name: 'Spring buyers', mode: 'replace', usable: true });
      const members = await readFile(join(out, 'audiences', 'acme', 'Spring%20buyers.csv'), 'utf8');
      expect(members.split('\n')[0]).toBe('user_id');
      expect(members.trimEnd().split('\n')).toHaveLength(151);

      // One row more: other bytes, so charged (the same list again would get the same figure free).
      const second = await match('--input', join(dir, 'more.csv'), '--audience', 'Spring buyers', '--audience-mode', 'add');
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('2 releases left');

      const removal = await cli(
        'match',
        '--input',
        join(dir, 'removals.csv'),
        '--column',
        'email',
        '--type',
        'email',
        ...server,
        '--json',
        '--audience',
        'Spring buyers',
        '--audience-mode',
        'remove',
      );
      expect(removal.code, removal.stderr).toBe(0);
      const removed = JSON.parse(removal.stdout) as MatchReport;
      expect(removed.released).toBeUndefined();
      expect(removed.budget).toMatchObject({ spent: 0.5, releasesLeft: 2 });
      expect(await readFile(join(out, 'audiences', 'acme', 'Spring%20buyers.csv'), 'utf8')).not.toMatch(/^u0$/m);

      const list = await cli('audiences', 'list', ...server, '--json');
      expect(list.code, list.stderr).toBe(0);
      expect((JSON.parse(list.stdout) as { audiences: { name: string }[] }).audiences.map((a) => a.name)).toEqual(['Spring buyers']);
      const show = await cli('audiences', 'show', 'Spring buyers', ...server);
      expect(show.stdout).toMatch(/created.*\n.*created[\s\S]*added[\s\S]*removed/);
      expect((await cli('audiences', 'delete', 'Spring buyers', ...server)).stdout).toBe('deleted Spring buyers\n');
      const gone = await cli('audiences', 'show', 'Spring buyers', ...server);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('AUDIENCE_NOT_FOUND');
      expect((await cli('audiences', 'list', '--server', url, '--token', 'x'.repeat(40))).stderr).toContain('UNAUTHORIZED');
    } finally {
      expect(await stop()).toBe(0);
    }

    const shown = await cli('budget', 'show', '--state-dir', state, '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ tokens: [{ tokenId: 'acme', spent: 0.5, remaining: 0.5, releasesLeft: 2 }] });
    const reset = await cli('budget', 'reset', '--state-dir', state, '--token-id', 'acme');
    expect(reset.stdout).toBe('reset acme (had spent 0.5)\n');
    const audit = (await readFile(join(state, 'budget-audit.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit).toEqual([{ at: expect.any(String), action: 'reset', tokenId: 'acme', spent: 0.5 }]);
    expect(JSON.stringify(audit)).not.toContain(token);
    const after = await cli('budget', 'show', '--state-dir', state, '--token-id', 'acme');
    expect(after.stdout).toContain('acme: spent 0 of 1 in the last 30d, 1 left (4 releases)');
    expect((await cli('budget', 'show', '--state-dir', join(dir, 'nowhere'))).stderr).toContain('OPTIONS_INVALID');
  });
});
