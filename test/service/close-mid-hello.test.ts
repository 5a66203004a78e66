import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePool, poolStats } from '../../src/pool/registry.js';
import { matchOverHttp } from '../../src/client.js';
import { startPsiServer } from '../../src/service.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeHandshake, GROUP_RISTRETTO255 } from '../../src/wire/messages.js';
import { emails, frameHeaders, raw, type RawReply } from '../transport/helpers.js';

// A service big enough that blinding its set for one HELLO takes a while, on a worker pool, in chunks
// small enough that several are in flight when the session ends.
const platform = emails(0, 8_000);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(async () => {
  // No pool lease left over from an earlier test, so that a lease means this test's blinding.
  await until(() => poolStats().leased === 0, 'earlier leases to be released');
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, what: string, tries = 1000): Promise<void> {
  for (let i = 0; i < tries && !condition(); i++) await sleep(5);
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

/**
 * Waits until the service's pool (which it holds for its life) shows `held`: how many keys each
 * thread holds tells whether a session's blinder is at work (its key registered) or closed (dropped).
 */
async function untilKeys(held: (keys: number[]) => boolean, what: string): Promise<void> {
  const lease = acquirePool('sodium', 2, 'ristretto255');
  try {
    for (let i = 0; i < 1000; i++) {
      if (held(await lease.pool.heldKeys())) return;
      await sleep(5);
    }
    throw new Error(`gave up waiting for ${what}`);
  } finally {
    lease.release();
  }
}

/** A client HELLO declaring `itemCount` items, with a session id of its own. */
function hello(fill: number, itemCount = 50): { body: Uint8Array; id: string } {
  const sessionId = new Uint8Array(16).fill(fill);
  const body = encodeFrame(
    'hello',
    sessionId,
    0,
    encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'intersection', itemCount }),
  );
  return { body, id: Buffer.from(sessionId).toString('hex') };
}

describe('ending a session while the service blinds for its HELLO', () => {
  it('DELETE mid-blinding: the process survives, the POST gets a typed error, health stays 200 and the next session is right', async () => {
    const lines: string[] = [];
    const service = await startPsiServer({
      disclosure: 'exact',
      group: 'ristretto255',
      items: platform,
      workers: 2,
      backend: 'sodium',
      chunkItems: 1_000,
      log: (l) => void lines.push(l),
    });
    try {
      const { body, id } = hello(1);
      const post = raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(), body });
      post.catch(() => undefined);
      await until(() => lines.some((l) => l.includes(`${id} (anonymous) started`)), 'the session to start');
      await untilKeys((keys) => keys.some((n) => n > 0), 'the service to start blinding');
      const deleted = await raw(service.url, 'DELETE', `/v1/sessions/${id}`);
      expect(deleted.status).toBe(204);

      const reply = await post;
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expect([
        [410, 'SESSION_CLOSED'],
        [404, 'SESSION_NOT_FOUND'],
      ]).toContainEqual([reply.status, reply.json().code]);
      await untilKeys((keys) => keys.every((n) => n === 0), "every thread to drop the session's key");

      expect((await raw(service.url, 'GET', '/healthz')).status).toBe(200);
      const items = emails(7_990, 30);
      const got = await matchOverHttp({ server: service.url, items, workers: 1 });
      expect(got.size).toBe(10);
      expect(service.handler.sessions).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      await service.close();
    }
  });

  it('service close (what SIGTERM does) mid-blinding: no unhandled rejection, the POST gets an answer or a closed connection', async () => {
    const lines: string[] = [];
    const service = await startPsiServer({
      disclosure: 'exact',
      group: 'ristretto255',
      items: platform,
      workers: 2,
      backend: 'sodium',
      chunkItems: 1_000,
      log: (l) => void lines.push(l),
    });
    const { body, id } = hello(2);
    const post: Promise<RawReply | Error> = raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(), body }).catch(
      (e: Error) => e,
    );
    await until(() => lines.some((l) => l.includes(`${id} (anonymous) started`)), 'the session to start');
    await untilKeys((keys) => keys.some((n) => n > 0), 'the service to start blinding');
    await service.close();
    const reply = await post;
    if (reply instanceof Error) {
      expect((reply as NodeJS.ErrnoException).code ?? reply.message).toMatch(/ECONNRESET|socket hang up|EPIPE/);
    } else {
      expect([410, 503]).toContain(reply.status);
      expect(['SESSION_CLOSED', 'SERVICE_CLOSING', 'SESSION_NOT_FOUND']).toContain(reply.json().code);
    }
    await until(() => poolStats().leased === 0, 'the pool lease to be released');
    expect(service.handler.sessions).toBe(0);
    await sleep(100);
    expect(unhandled).toEqual([]);
  });
});
