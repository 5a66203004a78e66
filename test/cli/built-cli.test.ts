import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { hashIdentifier, normalize } from '../../src/identifiers/index.js';
import { matchOverHttp } from '../../src/client.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeHandshake, GROUP_RISTRETTO255 } from '../../src/wire/messages.js';
import { frameHeaders, raw } from '../transport/helpers.js';
import { ensureUiBuilt } from '../ui/helpers.js';
import { CLI, ensureBuilt } from './build.js';
import { withStateDir } from './serve-in-process.js';

const TOKEN = 'acme-0123456789abcdef0123456789abcdef';
let dir: string;
const children = new Set<ChildProcess>();

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `blindjoin serve` and resolves with its URL once it listens. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<Exit> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--disclosure', 'exact', ...withStateDir(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined) resolve({ child, url, exited });
    });
    void exited.then((e) => reject(new Error(`serve exited ${e.code}: ${e.stderr}`)));
  });
}

const platformRows = Array.from({ length: 600 }, (_, i) => `u${i},user${i}@example.com`);
const advertiserRows = [
  ...Array.from({ length: 200 }, (_, i) => `c${i},  USER${i * 5}@Example.COM `),
  'c900,not-an-email',
  'c901,',
  'c902,user0@example.com',
];

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'bj-cli-'));
  await writeFile(join(dir, 'platform.csv'), `id,email\n${platformRows.join('\n')}\n`);
  await writeFile(join(dir, 'advertiser.csv'), `customer,email\n${advertiserRows.join('\n')}\n`);
  await writeFile(join(dir, 'tokens'), `# advertisers\nacme ${TOKEN}\n`);
}, 180_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const input = (file: string) => ['--input', join(dir, file), '--column', 'email', '--type', 'email'];

describe('blindjoin (built)', () => {
  it('prints help for every command', async () => {
    for (const command of [[], ['serve'], ['match'], ['hash'], ['demo']]) {
      const { code, stdout } = await cli([...command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: blindjoin/);
    }
    const serveHelp = (await cli(['serve', '--help'])).stdout;
    for (const flag of [
      '--input',
      '--column',
      '--type',
      '--port',
      '--host',
      '--learn',
      '--peer-learns',
      '--tokens-file',
      '--out',
      '--max-items',
    ]) {
      expect(serveHelp).toContain(flag);
    }
  });

  it('exits 2 with a message on a usage error', async () => {
    const { code, stderr, stdout } = await cli(['match', '--server', 'http://127.0.0.1:9']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/required option/);
    expect(stdout).toBe('');
  });

  it('serve and match: both sides learn what they agreed, the service writes its result', async () => {
    const out = join(dir, 'results');
    const { child, url, exited } = await serve([
      ...input('platform.csv'),
      '--tokens-file',
      join(dir, 'tokens'),
      '--out',
      out,
      '--workers',
      '1',
    ]);
    const matched = await cli(['match', '--server', url, ...input('advertiser.csv'), '--json', '--workers', '1'], {
      BLINDJOIN_TOKEN: TOKEN,
    });
    expect(matched.stderr).toMatch(/2 of 203 rows rejected/);
    expect(matched.code).toBe(0);
    const report = JSON.parse(matched.stdout);
    // user0..user995 step 5 -> 120 below 600, and user0 twice.
    expect(report).toMatchObject({ size: 120, peerSize: 600, items: 200, rowsRead: 203, duplicates: 1, rejected: 2 });
    expect(report.rejectedRows.map((r: { line: number }) => r.line)).toEqual([202, 203]);

    const files = await readdir(out);
    const summary = JSON.parse(
      await readFile(
        join(
          out,
          files.find((f) => f.endsWith('.summary.json'))!,
        ),
        'utf8',
      ),
    );
    expect(summary).toMatchObject({ sessionId: report.sessionId, tokenId: 'acme', size: 120, matched: 120, peerSize: 200 });
    expect(JSON.stringify(summary)).not.toContain(TOKEN);
    const rows = (await readFile(join(out, summary.rowsFile), 'utf8')).trim().split('\n');
    expect(rows[0]).toBe('line,value');
    expect(rows[1]).toBe('2,user0@example.com');
    expect(rows).toHaveLength(121);

    const refused = await cli(['match', '--server', url, ...input('advertiser.csv'), '--token', 'acme-wrong-0000000000000000000000000000']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/UNAUTHORIZED/);
    expect(refused.stdout).toBe('');

    child.kill('SIGTERM');
    const end = await exited;
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/shutting down/);
  });

  it('match exits 1 and prints no result when the service is down', async () => {
    const { code, stdout, stderr } = await cli([
      'match',
      '--server',
      'http://127.0.0.1:9',
      ...input('advertiser.csv'),
      '--retries',
      '1',
      '--json',
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/SERVICE_UNREACHABLE/);
  });

  it('a service killed mid-session: the client fails with SESSION_LOST and no result is written', async () => {
    const out = join(dir, 'killed');
    const { child, url, exited } = await serve([...input('platform.csv'), '--out', out, '--workers', '1']);
    let killed = false;
    const items = Array.from({ length: 300 }, (_, i) => `user${i * 2}@example.com`);
    const e = await matchOverHttp({
      server: url,
      items,
      workers: 1,
      chunkItems: 20,
      retries: 2,
      retryDelayMs: 20,
      onProgress: ({ framesReceived }) => {
        // Once the service has answered the first frame, mid-session.
        if (killed || framesReceived === 0) return;
        child.kill('SIGKILL');
        killed = true;
      },
    }).catch((x: unknown) => x);
    expect(killed).toBe(true);
    expect(e).toBeInstanceOf(PsiError);
    expect((e as PsiError).code).toBe('SESSION_LOST');
    expect((await exited).code).toBe(null);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('SIGTERM while the service blinds a big set for a HELLO: a clean stop, exit 0, no crash', async () => {
    await writeFile(
      join(dir, 'big.csv'),
      `id,email\n${Array.from({ length: 20_000 }, (_, i) => `u${i},user${i}@example.com`).join('\n')}\n`,
    );
    const { child, url, exited } = await serve([...input('big.csv'), '--workers', '2']);
    let live = '';
    child.stderr!.on('data', (d: Buffer) => (live += d));
    const hello = encodeFrame(
      'hello',
      new Uint8Array(16).fill(4),
      0,
      encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'intersection', itemCount: 10 }),
    );
    const post = raw(url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: hello }).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    // The service logs the session start right before it blinds its 20,000 items for it.
    for (let i = 0; i < 500 && !/session [0-9a-f]{32} \(anonymous\) started/.test(live); i++) await new Promise((r) => setTimeout(r, 10));
    expect(live).toMatch(/started: 10 client items/);
    child.kill('SIGTERM');
    const end = await exited;
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/shutting down/);
    expect(end.stderr).not.toMatch(/unexpected error|Unhandled|BLINDER_CLOSED|\n\s+at /);
    // The client got an answer or a closed connection, never a hang.
    expect(await post).toBeDefined();
  });

  it('serve --ui finds the page the package ships beside its bundle (dist/ui/)', async () => {
    await ensureUiBuilt();
    const { child, url, exited } = await serve([...input('platform.csv'), '--workers', '1', '--ui']);
    const page = await raw(url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<script type="module" src="app.js"></script>');
    expect((await raw(url, 'GET', '/worker.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw(url, 'GET', '/blinding.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('hash writes the status-quo upload file and reports rejected rows', async () => {
    const output = join(dir, 'upload.txt');
    const { code, stdout, stderr } = await cli(['hash', ...input('advertiser.csv'), '--output', output]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/wrote 200 distinct hashes/);
    expect(stderr).toMatch(/line 202: EMAIL_INVALID/);
    const lines = (await readFile(output, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('email_sha256');
    expect(lines[1]).toBe(hashIdentifier(normalize('  USER0@Example.COM ', 'email')));
    expect(lines).toHaveLength(201);
  });
});
