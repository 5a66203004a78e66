import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolStats } from '../../src/pool/registry.js';
import { startPsiServer } from '../../src/service.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeHandshake, GROUP_X25519 } from '../../src/wire/messages.js';
import { emailServeArgs, listening, serveChild } from '../cli/serve-child.js';
import { emails, frameHeaders, raw, type RawReply } from '../transport/helpers.js';

// Large enough that blinding the service's set for one HELLO outlasts a few requests, even on a fast machine.
const PLATFORM = 10_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-event-loop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 6000 && !condition(); i++) await sleep(5);
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

let nextFill = 1;
/** A client HELLO (x25519, the service learns the intersection, the client the size), with its session id. */
function hello(): { body: Uint8Array; id: string } {
  const sessionId = new Uint8Array(16).fill(nextFill++);
  const body = encodeFrame(
    'hello',
    sessionId,
    0,
    encodeHandshake({ group: GROUP_X25519, learn: 'size', peerLearns: 'intersection', itemCount: 50 }),
  );
  return { body, id: Buffer.from(sessionId).toString('hex') };
}

describe('blinding never runs on the event loop', () => {
  it('with workers: 1, the service blinds on a worker thread and answers /healthz while a HELLO is still being blinded', async () => {
    const lines: string[] = [];
    const service = await startPsiServer({ disclosure: 'exact', items: emails(0, PLATFORM), workers: 1, log: (l) => void lines.push(l) });
    try {
      const { body, id } = hello();
      let answered = false;
      const post = raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(), body }).finally(() => (answered = true));
      await until(() => lines.some((l) => l.includes(`${id} (anonymous) started`)), 'the HELLO to start');
      await until(() => poolStats().leased > 0, 'the blinding to reach the pool');
      // Blinded inline, the HELLO would hold the event loop until its answer; on a thread, health checks come first.
      for (let k = 0; k < 3; k++) {
        const health = await raw(service.url, 'GET', '/healthz');
        expect(health.status).toBe(200);
        expect(answered).toBe(false);
      }
      expect((await post).status).toBe(201);
    } finally {
      await service.close();
    }
  });

  it('on SIGTERM, serve --workers 1 refuses new sessions at once, gives the HELLO in progress no 201 and exits cleanly', async () => {
    const csv = join(dir, 'users.csv');
    await writeFile(csv, `email\n${emails(0, PLATFORM).join('\n')}\n`);
    const served = serveChild(emailServeArgs(csv), { env: { ...process.env, BLINDJOIN_STATE_DIR: join(dir, 'state') } });
    const { child, exited } = served;
    try {
      const url = await listening(served);
      // --workers 1 stands for a one-core host: the whole service then has one blinding thread.
      expect(served.stderr()).not.toMatch(/error/i);
      const first = hello();
      const post: Promise<RawReply | Error> = raw(url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: first.body }).catch(
        (e: Error) => e,
      );
      await until(() => served.stderr().includes(`${first.id} (anonymous) started`), 'the HELLO to start');
      child.kill('SIGTERM');
      await until(() => served.stderr().includes('shutting down'), 'the signal to be handled');
      const late = await raw(url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: hello().body }).catch((e: Error) => e);
      if (late instanceof Error) expect((late as NodeJS.ErrnoException).code).toMatch(/ECONNREFUSED|ECONNRESET/);
      else expect([late.status, late.json().code]).toEqual([503, 'SERVICE_CLOSING']);
      const reply = await post;
      if (!(reply instanceof Error)) {
        expect(reply.status).not.toBe(201);
        // LEDGER_CLOSED: the refund of the dropped session's items met the state directory already closed.
        expect(['SESSION_CLOSED', 'SERVICE_CLOSING', 'SESSION_NOT_FOUND', 'LEDGER_CLOSED']).toContain(reply.json().code);
      }
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
