import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { createParty } from '../../src/protocol/index.js';
import type { Reveal } from '../../src/wire/reveal.js';
import { parseFrameHeader, splitFrames } from '../../src/wire/index.js';
import { frameHeaders, raw } from '../transport/helpers.js';
import { blindjoin, captured, never, serveInProcess } from './serve-in-process.js';

let dir: string;
let csv: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-serve-defaults-'));
  csv = join(dir, 'users.csv');
  await writeFile(csv, `email\n${Array.from({ length: 30 }, (_, i) => `user${i}@example.com`).join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = () => ['--input', csv, '--column', 'email', '--type', 'email', '--port', '0', '--workers', '1'];

/** The service's blinded set as one session's HELLO answer shows it, sorted. */
async function blindedView(url: string, learn: Reveal): Promise<string[]> {
  const party = createParty({ role: 'initiator', items: ['q@example.com'], learn, peerLearns: 'intersection', workers: 1 });
  const [hello] = await party.step();
  await party.close();
  const reply = await raw(url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: hello });
  expect(reply.status, reply.body.toString()).toBe(201);
  const elements: string[] = [];
  for (const frame of splitFrames(new Uint8Array(reply.body))) {
    if (parseFrameHeader(frame).type !== 'blinded') continue;
    const payload = Buffer.from(frame.subarray(32 + 4));
    for (let at = 0; at < payload.length; at += 32) elements.push(payload.subarray(at, at + 32).toString('hex'));
  }
  await raw(url, 'DELETE', `/v1/sessions/${Buffer.from(parseFrameHeader(hello!).sessionId).toString('hex')}`);
  return elements.sort();
}

describe('serve defaults', () => {
  it('keeps one key per day under a policy (a repeated list meets the same blinded set), a key per session under exact', async () => {
    const policy = await serveInProcess(...base(), '--min-items', '1', '--budget', '10');
    const [a, b] = [await blindedView(policy.url, 'released'), await blindedView(policy.url, 'released')];
    expect(a).toHaveLength(30);
    expect(b).toEqual(a);
    expect(await policy.stop()).toBe(0);

    const exact = await serveInProcess(...base(), '--disclosure', 'exact');
    const [c, d] = [await blindedView(exact.url, 'size'), await blindedView(exact.url, 'size')];
    expect(c).toHaveLength(30);
    expect(c.filter((x) => d.includes(x))).toEqual([]);
    expect(await exact.stop()).toBe(0);
  });

  it('says at start that, without a tokens file, every client shares one anonymous budget', async () => {
    const open = await serveInProcess(...base(), '--disclosure', 'exact');
    expect(open.serving.stderr).toMatch(/every client shares one 'anonymous' privacy budget/);
    expect(await open.stop()).toBe(0);
    const tokens = join(dir, 'tokens');
    await writeFile(tokens, `acme acme-0123456789abcdef0123456789abcdef\n`, { mode: 0o600 });
    const closed = await serveInProcess(...base(), '--disclosure', 'exact', '--tokens-file', tokens);
    expect(closed.serving.stderr).not.toMatch(/anonymous/);
    expect(await closed.stop()).toBe(0);
  });

  it('refuses a non-loopback --host without a tokens file unless --allow-anonymous is given', async () => {
    const io = captured();
    expect(await run(blindjoin('serve', ...base(), '--host', '0.0.0.0'), io, never)).toBe(1);
    expect(io.stderr).toMatch(/TOKENS_REQUIRED/);
    const allowed = await serveInProcess(...base(), '--disclosure', 'exact', '--host', '0.0.0.0', '--allow-anonymous');
    expect(allowed.serving.stderr).toMatch(/every client shares one 'anonymous' privacy budget/);
    expect(await allowed.stop()).toBe(0);
  });

  it('answers only the --allowed-host names in the Host header', async () => {
    const served = await serveInProcess(
      ...base(),
      '--disclosure',
      'exact',
      '--allowed-host',
      'psi.example',
      '--allowed-host',
      'psi2.example',
    );
    for (const [host, status] of [
      ['psi.example', 200],
      ['psi2.example:8443', 200],
      [new URL(served.url).host, 421],
    ] as const) {
      expect((await raw(served.url, 'GET', '/v1/terms', { headers: { host } })).status, host).toBe(status);
    }
    expect(await served.stop()).toBe(0);
  });

  it('refuses a wildcard --cors-origin at start with OPTIONS_INVALID', async () => {
    const io = captured();
    expect(
      await run(blindjoin('serve', ...base(), '--state-dir', join(dir, 'cors'), '--cors-origin', 'https://*.example'), io, never),
    ).toBe(1);
    expect(io.stderr).toMatch(/OPTIONS_INVALID/);
  });
});
