import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PsiError } from '../../src/errors.js';
import { statusOf } from '../../src/errors.js';
import { DailyCounter } from '../../src/service/daily-counter.js';
import { loadTokensFile, parseTokens, type SessionSummary } from '../../src/service/index.js';
import { matchedRowsCsv } from '../../src/service/result.js';
import { writeSessionResult } from '../../src/service/result-files.js';
import { syncCodeOf as code } from '../codes.js';

const T1 = '0123456789abcdef0123456789abcdef';
const T2 = 'ffffffffffffffffffffffffffffffff0';
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('parseTokens', () => {
  it('reads ids, tokens and quotas, skipping comments and blank lines', () => {
    const table = parseTokens(`# advertisers\n\nacme ${T1} 5000\r\n  beta\t${T2}  \n`);
    expect(table.size).toBe(2);
    expect(table.authenticate(`Bearer ${T1}`)).toEqual({ id: 'acme', itemsPerDay: 5000 });
    expect(table.authenticate(`bearer ${T2}`)).toEqual({ id: 'beta' });
  });

  it('authenticates nothing but an exact bearer token', () => {
    const table = parseTokens(`acme ${T1}\n`);
    for (const header of [undefined, '', T1, `Basic ${T1}`, `Bearer ${T1}x`, `Bearer ${T1.slice(1)}`, 'Bearer acme']) {
      expect(table.authenticate(header)).toBeUndefined();
    }
  });

  it('refuses malformed lines, weak tokens and repeats, naming the line', () => {
    const cases = [
      'acme',
      `acme ${T1} 10 extra`,
      'acme short-token',
      `bad/id ${T1}`,
      `acme ${T1} -5`,
      `acme ${T1} 1.5`,
      `acme ${T1}\nacme ${T2}`,
      `acme ${T1}\nbeta ${T1}`,
    ];
    for (const text of cases) expect(code(() => parseTokens(text))).toBe('TOKENS_INVALID');
    expect(() => parseTokens(`# c\nacme ${T1}\nacme ${T2}`)).toThrow(/line 3/);
  });

  it('reports an unreadable tokens file as TOKENS_UNREADABLE', async () => {
    const e = await loadTokensFile('/nonexistent/tokens').catch((x: PsiError) => x);
    expect((e as PsiError).code).toBe('TOKENS_UNREADABLE');
  });
});

describe('DailyCounter', () => {
  const day = Date.UTC(2025, 0, 1, 12);
  it('charges until the limit and refuses without charging beyond it', () => {
    const q = new DailyCounter();
    expect(q.charge('a', 60, 100, day)).toBe(true);
    expect(q.charge('a', 50, 100, day)).toBe(false);
    expect(q.used('a', day)).toBe(60);
    expect(q.charge('a', 40, 100, day)).toBe(true);
    expect(q.charge('b', 100, 100, day)).toBe(true);
  });

  it('gives back refunded items, never below zero', () => {
    const q = new DailyCounter();
    q.charge('a', 80, 100, day);
    q.refund('a', 50, day);
    expect(q.used('a', day)).toBe(30);
    q.refund('a', 50, day);
    expect(q.used('a', day)).toBe(0);
    q.refund('b', 5, day);
    expect(q.used('b', day)).toBe(0);
  });

  it('starts afresh on the next UTC day', () => {
    const q = new DailyCounter();
    expect(q.charge('a', 100, 100, day)).toBe(true);
    expect(q.charge('a', 1, 100, day + 11 * 3_600_000)).toBe(false);
    expect(q.charge('a', 1, 100, day + 13 * 3_600_000)).toBe(true);
  });
});

describe('session results', () => {
  const summary: SessionSummary = {
    sessionId: 'ab'.repeat(16),
    tokenId: 'acme',
    learn: 'intersection',
    peerLearns: 'size',
    items: 3,
    rows: 3,
    peerSize: 2,
    size: 2,
    matched: 2,
    startedAt: '2025-01-01T12:00:00.000Z',
    finishedAt: '2025-01-01T12:00:01.500Z',
    durationMs: 1500,
  };

  it('quotes CSV values only where needed', () => {
    const rows = [
      { line: 2, value: 'a@example.com' },
      { line: 9, value: ' "x", y ' },
    ];
    expect(matchedRowsCsv(rows)).toBe('line,value\n2,a@example.com\n9," ""x"", y "\n');
  });

  it('writes rows then summary, complete, with no temporary file left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bj-results-'));
    dirs.push(dir);
    const path = await writeSessionResult(join(dir, 'out'), {
      summary,
      rows: [
        { line: 2, value: 'a' },
        { line: 3, value: 'b' },
      ],
    });
    const files = (await readdir(join(dir, 'out'))).sort();
    expect(files).toEqual([
      `20250101T120001500Z-${summary.sessionId}.matches.csv`,
      `20250101T120001500Z-${summary.sessionId}.summary.json`,
    ]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ ...summary, rowsFile: files[0] });
    expect(await readFile(join(dir, 'out', files[0]!), 'utf8')).toBe('line,value\n2,a\n3,b\n');
  });

  it('fails with RESULT_WRITE_FAILED, leaving nothing behind, when the directory cannot be made', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bj-results-'));
    dirs.push(dir);
    await writeFile(join(dir, 'file'), 'x');
    const e = await writeSessionResult(join(dir, 'file', 'out'), { summary }).catch((x: PsiError) => x);
    expect((e as PsiError).code).toBe('RESULT_WRITE_FAILED');
    expect(await readdir(dir)).toEqual(['file']);
  });
});

describe('statusOf', () => {
  it('maps refusal codes to HTTP statuses, protocol violations to 400', () => {
    expect(
      (
        [
          'UNAUTHORIZED',
          'SESSION_NOT_FOUND',
          'MODE_MISMATCH',
          'BODY_TOO_LARGE',
          'UNSUPPORTED_MEDIA_TYPE',
          'QUOTA_EXCEEDED',
          'SERVICE_BUSY',
        ] as const
      ).map(statusOf),
    ).toEqual([401, 404, 409, 413, 415, 429, 503]);
    expect(statusOf('POINT_INVALID')).toBe(400);
  });
});
