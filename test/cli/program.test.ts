import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { intIn, parseDuration, parseKeyRotation } from '../../src/cli/options.js';
import { hashIdentifier, normalize } from '../../src/identifiers/index.js';
import { run } from '../../src/cli/program.js';
import { blindjoin, captured, never, serveInProcess } from './helpers.js';

describe('option parsers', () => {
  it('reads durations with units', () => {
    expect([parseDuration('500ms'), parseDuration('90s'), parseDuration('15m'), parseDuration('1h'), parseDuration('1d')]).toEqual([
      500, 90_000, 900_000, 3_600_000, 86_400_000,
    ]);
    for (const bad of ['', '10', '-1s', '0s', 'soon', '1 week']) expect(() => parseDuration(bad)).toThrow(/duration/);
    expect(parseKeyRotation('session')).toBe('session');
    expect(parseKeyRotation('2h')).toBe(7_200_000);
  });

  it('reads whole numbers within bounds, underscores allowed', () => {
    expect(intIn(0, 65535)('8080')).toBe(8080);
    expect(intIn(1, 1e7)('50_000')).toBe(50_000);
    for (const bad of ['', '-1', '1.5', '65536', 'abc', '1e3']) expect(() => intIn(0, 65535)(bad)).toThrow(/whole number/);
  });
});

describe('run', () => {
  it('exits 2 on usage errors and 0 on --help', async () => {
    const io = captured();
    expect(await run(blindjoin('serve', '--port', '80'), io, never)).toBe(2);
    expect(io.stderr).toMatch(/required option '--input <file>'/);
    expect(await run(blindjoin('match', '--learn', 'everything'), captured(), never)).toBe(2);
    expect(await run(blindjoin('bogus'), captured(), never)).toBe(2);
    const help = captured();
    expect(await run(blindjoin('--help'), help, never)).toBe(0);
    expect(help.stdout).toMatch(/serve.*\n.*match|serve[\s\S]*match[\s\S]*hash[\s\S]*demo/);
  });

  it("prints the package's version", async () => {
    const io = captured();
    expect(await run(blindjoin('--version'), io, never)).toBe(0);
    expect(io.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it('exits 1 with the error code on stderr when the work fails', async () => {
    const io = captured();
    const code = await run(
      blindjoin('hash', '--input', '/nonexistent.csv', '--column', 'email', '--type', 'email', '--output', '/tmp/x'),
      io,
      never,
    );
    expect(code).toBe(1);
    expect(io.stderr).toMatch(/^blindjoin: [A-Z_]+: /);
    expect(io.stdout).toBe('');
  });

  it('refuses to serve a non-loopback address without tokens', async () => {
    const io = captured();
    const args = ['serve', '--input', '/nonexistent.csv', '--column', 'email', '--type', 'email', '--port', '0', '--host', '0.0.0.0'];
    expect(await run(blindjoin(...args), io, never)).toBe(1);
    expect(io.stderr).toMatch(/TOKENS_REQUIRED/);
  });

  it('runs the demo end to end over HTTP on small data', async () => {
    const io = captured();
    const code = await run(blindjoin('demo', '--platform', '400', '--advertiser', '120', '--overlap', '35', '--workers', '1'), io, never);
    expect(code).toBe(0);
    expect(io.stderr).toMatch(/3 of 124 rows rejected/);
    expect(io.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    // 35 is below the policy's threshold of 100: the advertiser learns only that, never 35.
    expect(io.stdout).toMatch(/in both: +fewer than 100/);
    expect(io.stdout).toMatch(/advertiser learnt: fewer than 100 common customers/);
    expect(io.stdout).toMatch(/the platform found 35 common customers; 35 were planted/);
  });
});

describe('serve and match in process', () => {
  it('matches an advertiser holding emails against a platform holding only their SHA-256, rows to --output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bj-sha-'));
    try {
      const users = Array.from({ length: 50 }, (_, i) => `user${i}@example.com`);
      const hashes = users.map((u) => hashIdentifier(normalize(u, 'email')));
      await writeFile(join(dir, 'platform.csv'), `em\n${hashes.join('\n')}\n`);
      await writeFile(join(dir, 'advertiser.csv'), `email\n${['USER3@example.com', 'user7@Example.com', 'zed@example.com'].join('\n')}\n`);
      const { url, stop } = await serveInProcess(
        '--input',
        join(dir, 'platform.csv'),
        '--column',
        'em',
        '--type',
        'sha256',
        '--port',
        '0',
        '--workers',
        '1',
        '--peer-learns',
        'intersection',
        '--disclosure',
        'exact',
      );
      const matching = captured();
      const args = ['match', '--server', url, '--input', join(dir, 'advertiser.csv'), '--column', 'email', '--type', 'email'];
      const output = join(dir, 'matched.csv');
      expect(
        await run(blindjoin(...args, '--json', '--workers', '1', '--learn', 'intersection', '--output', output), matching, never),
      ).toBe(0);
      expect(JSON.parse(matching.stdout)).toMatchObject({ size: 2, peerSize: 50, items: 3, matched: 2, output });
      expect(readFileSync(output, 'utf8')).toBe('line,value\n2,USER3@example.com\n3,user7@Example.com\n');
      expect(await stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('under the default disclosure policy, match prints the released figure and never the exact count', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bj-policy-'));
    try {
      const users = Array.from({ length: 3000 }, (_, i) => `user${i}@example.com`);
      const customers = [...users.slice(0, 1234), ...Array.from({ length: 266 }, (_, i) => `other${i}@example.com`)];
      await writeFile(join(dir, 'platform.csv'), `email\n${users.join('\n')}\n`);
      await writeFile(join(dir, 'advertiser.csv'), `email\n${customers.join('\n')}\n`);
      const { url, serving, stop } = await serveInProcess(
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
        '--state-dir',
        join(dir, 'state'),
      );
      expect(serving.stderr).toMatch(/disclosure policy: clients learn figures noised with epsilon 0.25/);
      const args = [
        'match',
        '--server',
        url,
        '--input',
        join(dir, 'advertiser.csv'),
        '--column',
        'email',
        '--type',
        'email',
        '--workers',
        '1',
      ];
      const json = captured();
      expect(await run(blindjoin(...args, '--json'), json, never)).toBe(0);
      const report = JSON.parse(json.stdout) as Record<string, unknown> & { released: { value: number; note: string } };
      expect(report).not.toHaveProperty('size');
      expect(report).not.toHaveProperty('matches');
      expect(report.learn).toBe('released');
      expect(report.released.note).toMatch(/noised with epsilon 0.25, rounded to 2 significant digits/);
      expect(report.released.value % 100).toBe(0);
      const human = captured();
      expect(await run(blindjoin(...args), human, never)).toBe(0);
      expect(human.stdout).toMatch(/in both: +about 1,[0-9]00/);
      for (const out of [json.stdout, human.stdout]) expect(out).not.toMatch(/\b1,?234\b/);
      expect(await stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves and matches with --group x25519, and a client on ristretto255 is refused with GROUP_MISMATCH', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bj-group-'));
    try {
      await writeFile(join(dir, 'platform.csv'), `email\n${Array.from({ length: 40 }, (_, i) => `user${i}@example.com`).join('\n')}\n`);
      await writeFile(join(dir, 'advertiser.csv'), `email\nuser1@example.com\nuser5@example.com\nzed@example.com\n`);
      const { url, stop } = await serveInProcess(
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
        '--group',
        'x25519',
        '--disclosure',
        'exact',
      );
      const args = [
        'match',
        '--server',
        url,
        '--input',
        join(dir, 'advertiser.csv'),
        '--column',
        'email',
        '--type',
        'email',
        '--json',
        '--workers',
        '1',
      ];
      const matching = captured();
      expect(await run(blindjoin(...args, '--group', 'x25519', '--backend', 'sodium-native'), matching, never), matching.stderr).toBe(0);
      expect(JSON.parse(matching.stdout)).toMatchObject({ size: 2, peerSize: 40 });
      const refused = captured();
      expect(await run(blindjoin(...args, '--group', 'ristretto255'), refused, never)).toBe(1);
      expect(refused.stderr).toMatch(/GROUP_MISMATCH: .*peer uses ristretto255, this party uses x25519/);
      const wrongBackend = captured();
      expect(await run(blindjoin(...args, '--group', 'ristretto255', '--backend', 'sodium-native'), wrongBackend, never)).toBe(1);
      expect(wrongBackend.stderr).toMatch(/BACKEND_UNAVAILABLE/);
      expect(await stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("matches rows by any of several identifiers; the platform writes the matched users' ids (--emit)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bj-keys-'));
    try {
      const phone = (i: number) => `+1650555${String(1000 + i)}`;
      const users = Array.from({ length: 20 }, (_, i) => `u${i},user${i}@example.com,${phone(i)},seg${i % 3}`);
      await writeFile(join(dir, 'platform.csv'), `user_id,email,phone,segment\n${users.join('\n')}\n`);
      const customers = [
        'c1,user1@example.com,', // by email only
        `c2,nobody@example.com,${phone(2)}`, // by phone only
        `c3,user3@example.com,${phone(3)}`, // by both: one row, one user
        `c4,user4@example.com,${phone(5)}`, // one row, two users
        'c5,stranger@example.com,+16505559999', // no match
      ];
      await writeFile(join(dir, 'advertiser.csv'), `customer,email,phone\n${customers.join('\n')}\n`);
      const out = join(dir, 'results');
      const { url, stop } = await serveInProcess(
        '--input',
        join(dir, 'platform.csv'),
        '--column',
        'email,phone',
        '--type',
        'email,phone',
        '--emit',
        'user_id',
        '--port',
        '0',
        '--workers',
        '1',
        '--disclosure',
        'exact',
        '--peer-learns',
        'intersection',
        '--out',
        out,
      );
      const matching = captured();
      const args = ['match', '--server', url, '--input', join(dir, 'advertiser.csv'), '--column', 'email,phone', '--type', 'email,phone'];
      expect(await run(blindjoin(...args, '--json', '--workers', '1', '--learn', 'intersection'), matching, never), matching.stderr).toBe(
        0,
      );
      const report = JSON.parse(matching.stdout) as { matched: number; matches: { line: number }[] };
      expect(report.matched).toBe(4);
      expect(report.matches.map((m) => m.line)).toEqual([2, 3, 4, 5]);
      const files = readdirSync(out);
      const csv = readFileSync(
        join(
          out,
          files.find((f) => f.endsWith('.matches.csv'))!,
        ),
        'utf8',
      );
      expect(csv).toBe('line,user_id\n3,u1\n4,u2\n5,u3\n6,u4\n7,u5\n');
      const summary = JSON.parse(
        readFileSync(
          join(
            out,
            files.find((f) => f.endsWith('.summary.json'))!,
          ),
          'utf8',
        ),
      ) as Record<string, unknown>;
      expect(summary).toMatchObject({ matched: 5, columns: ['user_id'], rows: 40 });
      expect(await stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
