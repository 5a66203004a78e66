import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceLog } from '../../src/service/log.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { run } from '../../src/cli/program.js';
import { blindjoin, captured, never, serveInProcess } from '../cli/serve-in-process.js';
import { emails, raw } from '../transport/helpers.js';

const TOKEN = '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-log-'));
  await writeFile(join(dir, 'users.csv'), `email\n${emails(0, 80).join('\n')}\n`);
  await writeFile(join(dir, 'tokens'), `acme ${TOKEN}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('serve --log-format json', () => {
  it('writes one JSON record per line, each session line with its sessionId, never the token, an identifier or a query', async () => {
    const { url, serving, stop } = await serveInProcess(
      ...['--input', join(dir, 'users.csv'), '--column', 'email', '--type', 'email', '--port', '0', '--disclosure', 'exact'],
      ...['--workers', '1', '--tokens-file', join(dir, 'tokens'), '--log-format', 'json', '--state-dir', join(dir, 'state')],
    );
    const items = emails(40, 80);
    const { sessionId } = await matchOverHttp({ server: url, token: TOKEN, items, workers: 1 });
    // A refused request whose query a client chose: the log keeps the path only.
    const refused = await raw(url, 'GET', `/v1/sessions/${sessionId}/frames?ack=1&secret=${TOKEN}`, {
      headers: { authorization: 'Bearer not-a-token-not-a-token-not-a-token' },
    });
    expect(refused.status).toBe(401);
    expect(await stop()).toBe(0);

    expect(serving.stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const records = serving.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: string; time: string; msg: string; sessionId?: string });
    for (const r of records) {
      expect(typeof r.msg).toBe('string');
      expect(Number.isNaN(Date.parse(r.time))).toBe(false);
      expect(['info', 'warn', 'error']).toContain(r.level);
    }
    const ofSession = records.filter((r) => r.msg.includes(sessionId));
    expect(ofSession.map((r) => r.msg)).toEqual([
      expect.stringMatching(new RegExp(`^session ${sessionId} \\(acme\\) started: 80 client items$`)),
      expect.stringMatching(new RegExp(`^session ${sessionId} \\(acme\\) done: peerSize 80`)),
      `refused GET /v1/sessions/${sessionId}/frames: UNAUTHORIZED: a valid bearer token is required`,
    ]);
    for (const r of ofSession) expect(r.sessionId).toBe(sessionId);
    // Startup lines are records too, without a session.
    expect(records.find((r) => r.msg.startsWith('group x25519'))?.sessionId).toBeUndefined();
    expect(serving.stderr).not.toContain(TOKEN);
    expect(serving.stderr).not.toContain('ack=');
    for (const item of [...items, ...emails(0, 80)]) expect(serving.stderr).not.toContain(item);
  });
});

describe('prepare --log-format json', () => {
  it('writes its diagnostics as JSON records too', async () => {
    const io = captured();
    const store = join(dir, 'store');
    const args = ['--store', store, '--input', join(dir, 'users.csv'), '--column', 'email', '--type', 'email', '--epoch', 'e1'];
    expect(await run(blindjoin('prepare', ...args, '--workers', '1', '--log-format', 'json'), io, never), io.stderr).toBe(0);
    const records = io.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(records.map((r) => r.msg)).toContainEqual(expect.stringMatching(/epoch e1 prepared \(x25519\): 80 elements/));
    expect(records.every((r) => r.level === 'info')).toBe(true);
  });
});

describe('the service log', () => {
  it('keeps the text format: the ISO time, then the line as it was', () => {
    let out = '';
    createServiceLog('text', (chunk) => (out += chunk)).event('session 0123456789abcdef0123456789abcdef (acme) started: 4 client items');
    expect(out).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z session 0123456789abcdef0123456789abcdef \(acme\) started: 4 client items\n$/,
    );
  });
});
