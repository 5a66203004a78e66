import { describe, expect, it } from 'vitest';
import { isPsiErrorCode, PsiError } from '../../src/errors.js';
import { createParty } from '../../src/protocol/index.js';
import { parseTokens, type SessionResult } from '../../src/service/index.js';
import { matchOverHttp } from '../../src/client.js';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { encodeFrame, parseFrameHeader } from '../../src/wire/frame.js';
import { encodeHandshake, GROUP_RISTRETTO255 } from '../../src/wire/messages.js';
import { emails, frameHeaders, matchIndices, overlap, raw, type RawReply } from '../transport/helpers.js';

const SESSIONS = 300;
const CONCURRENCY = 8;
const MiB = 1 << 20;

const HONEST = ['h0', 'h1', 'h2', 'h3'].map((id, k) => [id, `${id}-${String(k).repeat(32)}`] as const);
const MALLORY = 'mallory-0123456789abcdef0123456789abcdef';
const EVE = 'eve-fedcba9876543210fedcba9876543210';
const SMALL = 'small-00112233445566778899aabbccddeeff';
const tokens = parseTokens([...HONEST.map(([id, t]) => `${id} ${t}`), `mallory ${MALLORY}`, `eve ${EVE}`, `small ${SMALL} 500`].join('\n'));
const platform = emails(0, 200);

/** Client set of session `i`: 20-200 addresses, overlapping the platform by a varying amount. */
function clientItems(i: number): string[] {
  return emails((i * 53) % 300, 20 + ((i * 37) % 181));
}

let nextId = 1;
function helloFrame(itemCount: number): { body: Uint8Array; id: string } {
  const sessionId = new Uint8Array(16).fill(0xee);
  new DataView(sessionId.buffer).setUint32(12, nextId++);
  const body = encodeFrame(
    'hello',
    sessionId,
    0,
    encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'intersection', itemCount }),
  );
  return { body, id: Buffer.from(sessionId).toString('hex') };
}

/** A genuine HELLO of a real initiator party, and its session id. */
async function realHello(items: readonly string[]): Promise<{ body: Uint8Array; id: string }> {
  const party = createParty({ role: 'initiator', items, learn: 'size', peerLearns: 'intersection', workers: 1, backend: 'sodium' });
  const [body] = await party.step();
  await party.close();
  return { body: body!, id: Buffer.from(parseFrameHeader(body!).sessionId).toString('hex') };
}

interface Tally {
  honest: number;
  honestRefusedByQuota: number;
  hostile: number;
  /** Status and code of every hostile request, to check that none was a 5xx or an unknown code. */
  refusals: [string, number, string][];
}

/** Records a hostile request's answer: a typed 4xx, or (for steps a client may take) a 2xx. */
function record(tally: Tally, what: string, reply: RawReply, expected?: [number, string]): void {
  const code = reply.status >= 400 ? String(reply.json().code) : '';
  tally.refusals.push([what, reply.status, code]);
  if (expected !== undefined) expect([what, reply.status, code]).toEqual([what, ...expected]);
}

async function hostile(service: PsiServer, i: number, tally: Tally): Promise<void> {
  tally.hostile++;
  const url = service.url;
  const mallory = frameHeaders(MALLORY);
  switch (i % 10) {
    case 1: {
      const garbage = Uint8Array.from({ length: 1 + ((i * 7) % 200) }, (_, k) => (k * i + 13) & 0xff);
      record(tally, 'garbage', await raw(url, 'POST', '/v1/sessions', { headers: mallory, body: garbage }));
      break;
    }
    case 2: {
      const { body } = helloFrame(30);
      record(
        tally,
        'truncated',
        await raw(url, 'POST', '/v1/sessions', { headers: mallory, body: body.subarray(0, body.length - 1 - (i % 8)) }),
        [400, 'FRAME_TRUNCATED'],
      );
      break;
    }
    case 3: {
      const { body } = helloFrame(30);
      const headers = { authorization: `Bearer ${MALLORY}`, 'content-type': 'text/plain' };
      record(tally, 'media type', await raw(url, 'POST', '/v1/sessions', { headers, body }), [415, 'UNSUPPORTED_MEDIA_TYPE']);
      break;
    }
    case 4: {
      const zero = i % 20 === 4;
      const { body } = helloFrame(zero ? 0 : 0xffff_ffff);
      record(
        tally,
        zero ? 'empty hello' : 'huge hello',
        await raw(url, 'POST', '/v1/sessions', { headers: mallory, body }),
        zero ? [422, 'TOO_FEW_ITEMS'] : [413, 'TOO_MANY_ITEMS'],
      );
      break;
    }
    case 5: {
      // Abandoned after HELLO: left for the idle timeout.
      const { body } = await realHello(clientItems(i).slice(0, 20));
      record(tally, 'abandoned', await raw(url, 'POST', '/v1/sessions', { headers: mallory, body }), [201, '']);
      break;
    }
    case 6: {
      // Eve reaches for Mallory's session on every route (it does not exist for her); then Mallory ends it mid-session.
      const { body, id } = await realHello(clientItems(i).slice(0, 20));
      record(tally, 'open', await raw(url, 'POST', '/v1/sessions', { headers: mallory, body }), [201, '']);
      const eve = frameHeaders(EVE);
      const next = encodeFrame('blinded', parseFrameHeader(body).sessionId, 1, new Uint8Array(36));
      record(tally, 'eve frames', await raw(url, 'POST', `/v1/sessions/${id}/frames`, { headers: eve, body: next }), [
        404,
        'SESSION_NOT_FOUND',
      ]);
      record(tally, 'eve pull', await raw(url, 'GET', `/v1/sessions/${id}/frames`, { headers: eve }), [404, 'SESSION_NOT_FOUND']);
      record(tally, 'eve delete', await raw(url, 'DELETE', `/v1/sessions/${id}`, { headers: eve }), [404, 'SESSION_NOT_FOUND']);
      record(tally, 'still there', await raw(url, 'GET', `/v1/sessions/${id}`, { headers: mallory }), [200, '']);
      record(tally, 'delete', await raw(url, 'DELETE', `/v1/sessions/${id}`, { headers: mallory }), [204, '']);
      record(tally, 'after delete', await raw(url, 'POST', `/v1/sessions/${id}/frames`, { headers: mallory, body: next }), [
        404,
        'SESSION_NOT_FOUND',
      ]);
      break;
    }
    case 7: {
      // Replays: the HELLO again (answered from the cache), then to the frames route, then a stale seq.
      const { body, id } = await realHello(clientItems(i).slice(0, 20));
      const first = await raw(url, 'POST', '/v1/sessions', { headers: mallory, body });
      record(tally, 'open', first, [201, '']);
      const again = await raw(url, 'POST', '/v1/sessions', { headers: mallory, body });
      record(tally, 'replayed hello', again, [201, '']);
      expect(again.body.equals(first.body)).toBe(true);
      record(tally, 'hello as frame', await raw(url, 'POST', `/v1/sessions/${id}/frames`, { headers: mallory, body }));
      const stale = encodeFrame('blinded', parseFrameHeader(body).sessionId, 7, new Uint8Array(36));
      record(tally, 'stale seq', await raw(url, 'POST', `/v1/sessions/${id}/frames`, { headers: mallory, body: stale }));
      await raw(url, 'DELETE', `/v1/sessions/${id}`, { headers: mallory });
      break;
    }
    case 8: {
      // A token past its daily quota: honest sessions until refused with QUOTA_EXCEEDED.
      const items = clientItems(i);
      try {
        const got = await matchOverHttp({ server: url, token: SMALL, items, workers: 1, backend: 'sodium', retries: 0 });
        expect(got.size).toBe(overlap(items, platform));
      } catch (e) {
        expect(e).toBeInstanceOf(PsiError);
        expect((e as PsiError).code).toBe('QUOTA_EXCEEDED');
        tally.honestRefusedByQuota++;
      }
    }
  }
}

describe('soak: a few hundred mixed honest and hostile sessions on loopback', () => {
  it('leaves the service healthy, with no session left, bounded memory and every honest answer right', async () => {
    const results = new Map<string, SessionResult>();
    const service = await startPsiServer({
      disclosure: 'exact',
      items: platform,
      tokens,
      workers: 1,
      backend: 'sodium',
      chunkItems: 64,
      maxSessions: 64,
      maxSessionsPerToken: 32,
      idleTimeoutMs: 4_000,
      onResult: (r) => void results.set(r.summary.sessionId, r),
    });
    const tally: Tally = { honest: 0, honestRefusedByQuota: 0, hostile: 0, refusals: [] };
    const honest: { sessionId: string; items: string[]; size: number | undefined }[] = [];
    try {
      // Warm up (module loading, JIT, sockets) before the baseline.
      await matchOverHttp({ server: service.url, token: HONEST[0]![1], items: clientItems(0), workers: 1, backend: 'sodium' });
      const rssBefore = process.memoryUsage().rss;

      let next = 1;
      const lane = async (k: number) => {
        for (let i = next++; i <= SESSIONS; i = next++) {
          // Residues 0 and 9 are honest; 1-8 hostile (8: a token going over its daily quota).
          if (i % 10 === 0 || i % 10 === 9) {
            const items = clientItems(i);
            const token = HONEST[k % HONEST.length]![1];
            const got = await matchOverHttp({
              server: service.url,
              token,
              items,
              workers: 1,
              backend: 'sodium',
              chunkItems: 16 + (i % 50),
            });
            tally.honest++;
            honest.push({ sessionId: got.sessionId, items, size: got.size });
          } else {
            await hostile(service, i, tally);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => lane(k)));

      // Every honest session: the client's size and the service's rows match the naive intersection.
      expect(honest.length).toBe(tally.honest);
      for (const h of honest) {
        expect(h.size).toBe(overlap(h.items, platform));
        const r = results.get(h.sessionId);
        expect(r?.rows?.map((row) => row.line)).toEqual(matchIndices(platform, h.items).map((x) => x + 1));
      }
      // The quota token got in until its quota ran out, and was then refused, never served wrongly.
      expect(tally.honestRefusedByQuota).toBeGreaterThan(0);
      // Hostile requests got typed 4xx answers (or 2xx for steps a client may take), never a 5xx.
      for (const [what, status, code] of tally.refusals) {
        expect([what, status < 500]).toEqual([what, true]);
        if (status >= 400) expect([what, isPsiErrorCode(code)]).toEqual([what, true]);
      }

      // Abandoned sessions expire; nothing else is left open.
      for (let t = 0; t < 200 && service.handler.sessions > 0; t++) await new Promise((r) => setTimeout(r, 50));
      expect(service.handler.sessions).toBe(0);
      expect((await raw(service.url, 'GET', '/healthz')).status).toBe(200);
      const after = await matchOverHttp({
        server: service.url,
        token: HONEST[1]![1],
        items: clientItems(3),
        workers: 1,
        backend: 'sodium',
      });
      expect(after.size).toBe(overlap(clientItems(3), platform));

      // A leak guard, not a benchmark: a few hundred sessions must not keep their memory.
      const growth = process.memoryUsage().rss - rssBefore;
      expect(growth).toBeLessThan(200 * MiB);
      expect(tally.honest + tally.hostile).toBe(SESSIONS);
    } finally {
      await service.close();
    }
  }, 120_000);
});
