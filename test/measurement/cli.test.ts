import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import type { MatchReport } from '../../src/cli/match.js';
import { blindjoin, captured, never, serveInProcess } from '../cli/serve-in-process.js';

let dir: string;
const N = 1200;
const OVERLAP = 800;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-measure-'));
  const platform = Array.from({ length: 3000 }, (_, i) => `u${i}@example.com,${i % 9},${i % 4}`);
  await writeFile(join(dir, 'platform.csv'), `email,impressions,clicks\n${platform.join('\n')}\n`);
  const customer = (i: number) => (i < OVERLAP ? `u${i}@example.com` : `c${i}@example.org`);
  const rows = Array.from({ length: N }, (_, i) => `${customer(i)},${(i * 13) % 500}`);
  await writeFile(join(dir, 'customers.csv'), `email,amount\n${rows.join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const serveArgs = (...extra: string[]) => [
  '--input',
  join(dir, 'platform.csv'),
  '--column',
  'email',
  '--type',
  'email',
  '--port',
  '0',
  '--workers',
  '1',
  '--values',
  'impressions,clicks',
  '--value-bound',
  'impressions=8,clicks=3',
  '--advertiser-values',
  ...extra,
];
const matchArgs = (url: string, ...extra: string[]) =>
  blindjoin(
    'match',
    '--server',
    url,
    '--input',
    join(dir, 'customers.csv'),
    '--column',
    'email',
    '--type',
    'email',
    '--workers',
    '1',
    ...extra,
  );

describe('serve --values and match --values', () => {
  it('under exact disclosure, --json aggregates are the exact sums of both sides', async () => {
    const { url, serving, stop } = await serveInProcess(...serveArgs('--disclosure', 'exact', '--state-dir', join(dir, 'state-exact')));
    try {
      expect(serving.stderr).toContain('impressions (clamped at 8 per user)');
      const io = captured();
      const args = matchArgs(url, '--json', '--platform-values', 'all', '--values', 'amount', '--value-bound', '400');
      expect(await run(args, io, never), io.stderr).toBe(0);
      const report = JSON.parse(io.stdout) as MatchReport;
      const range = Array.from({ length: OVERLAP }, (_, i) => i);
      const sum = (f: (i: number) => number) => range.reduce((a, i) => a + f(i), 0);
      expect(report.aggregates!.count.value).toBe(OVERLAP);
      expect(report.aggregates!.columns.impressions!.value).toBe(sum((i) => Math.min(i % 9, 8)));
      expect(report.aggregates!.columns.clicks!.value).toBe(sum((i) => Math.min(i % 4, 3)));
      expect(report.aggregates!.columns.amount!.value).toBe(sum((i) => Math.min((i * 13) % 500, 400)));
    } finally {
      await stop();
    }
  });

  it('under the default policy prints each figure with its noise scale and 95% interval', async () => {
    const { url, stop } = await serveInProcess(...serveArgs('--state-dir', join(dir, 'state-policy')));
    try {
      const io = captured();
      expect(
        await run(matchArgs(url, '--platform-values', 'clicks', '--values', 'amount', '--value-bound', '400'), io, never),
        io.stderr,
      ).toBe(0);
      expect(io.stdout).toMatch(/aggregates over the matched rows:/);
      expect(io.stdout).toMatch(/clicks\s+about [\d,]+ \(noise scale 12, 95% interval/);
      expect(io.stdout).toMatch(/amount\s+about [\d,]+ \(noise scale 1,600, 95% interval/);
    } finally {
      await stop();
    }
  });

  it('with the flags alone: no bounds, no --advertiser-values, exact disclosure gives the unclamped sums', async () => {
    const plain = ['--input', join(dir, 'platform.csv'), '--column', 'email', '--type', 'email', '--port', '0', '--workers', '1'];
    const { url, stop } = await serveInProcess(...plain, '--values', 'impressions,clicks', '--disclosure', 'exact');
    try {
      const io = captured();
      expect(await run(matchArgs(url, '--json', '--platform-values', 'all', '--values', 'amount'), io, never), io.stderr).toBe(0);
      const { aggregates } = JSON.parse(io.stdout) as MatchReport;
      const sum = (f: (i: number) => number) => Array.from({ length: OVERLAP }, (_, i) => f(i)).reduce((a, v) => a + v, 0);
      expect(aggregates!.columns.impressions!.value).toBe(sum((i) => i % 9));
      expect(aggregates!.columns.amount!.value).toBe(sum((i) => (i * 13) % 500));
    } finally {
      await stop();
    }
  });

  it('refuses --value-bound without --values, and non-integer values with their line', async () => {
    const io = captured();
    expect(await run(matchArgs('http://127.0.0.1:9', '--value-bound', '100'), io, never)).toBe(1);
    expect(io.stderr).toContain('OPTIONS_INVALID');
    await writeFile(join(dir, 'bad.csv'), 'email,amount\na@example.com,12.50\n');
    const bad = captured();
    const args = blindjoin(
      'match',
      '--server',
      'http://127.0.0.1:9',
      '--input',
      join(dir, 'bad.csv'),
      '--column',
      'email',
      '--type',
      'email',
    );
    expect(await run([...args, '--values', 'amount', '--value-bound', '100'], bad, never)).toBe(1);
    expect(bad.stderr).toContain('MEASURE_VALUE_INVALID: line 2, column amount');
  });
});
