import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { createParty } from '../../src/protocol/index.js';
import { openPlatform, parseTokens } from '../../src/service/index.js';
import { matchOverHttp } from '../../src/client.js';
import { createPsiHandler, startPsiServer, type PsiServer } from '../../src/service.js';
import { encodeFrame, MAX_FRAME_BYTES, parseFrameHeader, splitFrames } from '../../src/wire/index.js';
import { emails, frameHeaders, overlap, raw } from './helpers.js';

const ACME = 'acme-0123456789abcdef0123456789abcdef';
const BETA = 'beta-fedcba9876543210fedcba9876543210';
const SMALL = 'small-00112233445566778899aabbccddeeff';
const tokens = parseTokens(`# id token items-per-day\nacme ${ACME}\nbeta ${BETA}\nsmall ${SMALL} 150\n`);
const platform = emails(0, 300);
const advertiser = emails(250, 100);

async function hello(items: readonly string[] = advertiser, learn: 'size' | 'none' = 'size'): Promise<Uint8Array> {
  const party = createParty({ role: 'initiator', items, learn, peerLearns: 'intersection', workers: 1 });
  const [frame] = await party.step();
  await party.close();
  return frame!;
}

function sessionHex(frame: Uint8Array): string {
  return Buffer.from(parseFrameHeader(frame).sessionId).toString('hex');
}

async function refusal(p: Promise<unknown>): Promise<PsiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PsiError);
  return e as PsiError;
}

let service: PsiServer;
beforeAll(async () => {
  service = await startPsiServer({ disclosure: 'exact', items: platform, tokens, maxItems: 200, workers: 1, maxSessions: 4 });
});
afterAll(async () => {
  await service.close();
});

const match = (token: string | undefined, extra: Partial<Parameters<typeof matchOverHttp>[0]> = {}) =>
  matchOverHttp({ server: service.url, items: advertiser, workers: 1, retries: 0, ...(token === undefined ? {} : { token }), ...extra });

describe('authentication', () => {
  it('refuses a missing token with 401 and a Bearer challenge', async () => {
    const reply = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: await hello() });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(reply.json().code).toBe('UNAUTHORIZED');
  });

  it('refuses a wrong token, and the client reports it as UNAUTHORIZED', async () => {
    expect((await refusal(match('acme-not-the-right-token-at-all-000000'))).code).toBe('UNAUTHORIZED');
    expect((await refusal(match(undefined))).code).toBe('UNAUTHORIZED');
  });

  it('serves health without a token', async () => {
    const reply = await raw(service.url, 'GET', '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ status: 'ok' });
  });

  it("reports another token's session as absent", async () => {
    const frame = await hello();
    const created = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: frame });
    expect(created.status).toBe(201);
    const id = sessionHex(frame);
    const probe = await raw(service.url, 'GET', `/v1/sessions/${id}`, { headers: frameHeaders(BETA) });
    expect(probe.status).toBe(404);
    expect(probe.json().code).toBe('SESSION_NOT_FOUND');
    expect((await raw(service.url, 'DELETE', `/v1/sessions/${id}`, { headers: frameHeaders(ACME) })).status).toBe(204);
  });
});

describe('malformed requests', () => {
  it('refuses a declared oversized body with 413 before reading it', async () => {
    const body = new Uint8Array(MAX_FRAME_BYTES + 1);
    const reply = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body });
    expect(reply.status).toBe(413);
    expect(reply.json().code).toBe('BODY_TOO_LARGE');
  });

  it('refuses an oversized chunked body with 413 while streaming it', async () => {
    function* chunks() {
      for (let i = 0; i < 40; i++) yield new Uint8Array(64 * 1024);
    }
    const reply = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: chunks() }).catch(
      (e: NodeJS.ErrnoException) => e,
    );
    // The service may close the connection before the whole upload is written; it never accepts it.
    if (reply instanceof Error) expect(reply.code).toMatch(/EPIPE|ECONNRESET/);
    else expect([reply.status, reply.json().code]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  it('refuses other media types with 415', async () => {
    const reply = await raw(service.url, 'POST', '/v1/sessions', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ACME}` },
      body: new TextEncoder().encode('{}'),
    });
    expect(reply.status).toBe(415);
    expect(reply.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses garbled frames with 400 and the parser code', async () => {
    const good = await hello();
    const cases: [Uint8Array, string][] = [
      [new TextEncoder().encode('definitely not a frame, but long enough for a header'), 'FRAME_MAGIC'],
      [good.subarray(0, 10), 'FRAME_TRUNCATED'],
      [good.subarray(0, good.length - 1), 'FRAME_TRUNCATED'],
      [new Uint8Array([...good, 0]), 'FRAME_TRAILING_BYTES'],
      [encodeFrame('accept', parseFrameHeader(good).sessionId, 0, new Uint8Array(8)), 'UNEXPECTED_FRAME'],
      [encodeFrame('hello', parseFrameHeader(good).sessionId, 0, new Uint8Array(3)), 'PAYLOAD_INVALID'],
    ];
    for (const [body, code] of cases) {
      const reply = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body });
      expect([reply.status, reply.json().code]).toEqual([400, code]);
    }
  });

  it('ends a session on a garbled frame mid-way with 400, and forgets it', async () => {
    const frame = await hello();
    expect((await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: frame })).status).toBe(201);
    const id = sessionHex(frame);
    // In order, well framed, but the element is not a valid group element.
    const forged = encodeFrame('blinded', parseFrameHeader(frame).sessionId, 1, new Uint8Array(4 + 32).fill(0xff, 4));
    const reply = await raw(service.url, 'POST', `/v1/sessions/${id}/frames`, { headers: frameHeaders(ACME), body: forged });
    expect([reply.status, reply.json().code]).toEqual([400, 'POINT_INVALID']);
    expect((await raw(service.url, 'GET', `/v1/sessions/${id}`, { headers: frameHeaders(ACME) })).status).toBe(404);
  });

  it('answers unknown sessions with 404 and wrong methods with 405', async () => {
    const unknown = await raw(service.url, 'POST', `/v1/sessions/${'0'.repeat(32)}/frames`, {
      headers: frameHeaders(ACME),
      body: await hello(),
    });
    expect([unknown.status, unknown.json().code]).toEqual([404, 'SESSION_NOT_FOUND']);
    expect((await raw(service.url, 'GET', '/nowhere', { headers: frameHeaders(ACME) })).json().code).toBe('NOT_FOUND');
    const method = await raw(service.url, 'PUT', '/v1/sessions', { headers: frameHeaders(ACME) });
    expect([method.status, method.json().code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
  });
});

describe('terms and bounds', () => {
  it('refuses disagreeing reveal modes with 409 MODE_MISMATCH', async () => {
    expect((await refusal(match(ACME, { learn: 'intersection' }))).code).toBe('MODE_MISMATCH');
  });

  it('refuses more items than maxItems with 413 TOO_MANY_ITEMS', async () => {
    expect((await refusal(match(ACME, { items: emails(0, 201) }))).code).toBe('TOO_MANY_ITEMS');
  });

  it("stops a token at its daily item quota with 429, leaving other tokens' quotas alone", async () => {
    // A session refused at the handshake costs nothing.
    expect((await refusal(match(SMALL, { learn: 'intersection' }))).code).toBe('MODE_MISMATCH');
    await match(SMALL);
    expect((await refusal(match(SMALL))).code).toBe('QUOTA_EXCEEDED');
    expect((await match(BETA)).size).toBe(overlap(advertiser, platform));
  });

  it('answers a session replayed from its start with the same reply, and a conflicting one with 409', async () => {
    const frame = await hello();
    const first = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: frame });
    const again = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: frame });
    expect(again.status).toBe(201);
    expect(again.body.equals(first.body)).toBe(true);
    expect(splitFrames(new Uint8Array(first.body))[0]!.length).toBeGreaterThan(0);
    const other = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(BETA), body: frame });
    expect([other.status, other.json().code]).toEqual([409, 'SESSION_EXISTS']);
    await raw(service.url, 'DELETE', `/v1/sessions/${sessionHex(frame)}`, { headers: frameHeaders(ACME) });
  });

  it('still serves correct matches after every refusal above', async () => {
    expect((await raw(service.url, 'GET', '/healthz')).status).toBe(200);
    const got = await match(ACME);
    expect(got.size).toBe(overlap(advertiser, platform));
    expect(service.handler.sessions).toBe(0);
  });
});

describe('limits on sessions', () => {
  it('refuses a session beyond maxSessions with 503 SERVICE_BUSY', async () => {
    const busy = await startPsiServer({ disclosure: 'exact', items: platform, maxSessions: 1, workers: 1 });
    try {
      const frame = await hello();
      expect((await raw(busy.url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: frame })).status).toBe(201);
      const e = await refusal(matchOverHttp({ server: busy.url, items: advertiser, workers: 1, retries: 0 }));
      expect(e.code).toBe('SERVICE_BUSY');
      const reply = await raw(busy.url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: await hello() });
      expect([reply.status, reply.headers['retry-after']]).toEqual([503, '1']);
    } finally {
      await busy.close();
    }
  });

  it('drops an idle session; the client then gets 404', async () => {
    const idle = await startPsiServer({ disclosure: 'exact', items: platform, idleTimeoutMs: 100, workers: 1 });
    try {
      const frame = await hello();
      expect((await raw(idle.url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: frame })).status).toBe(201);
      await new Promise((r) => setTimeout(r, 400));
      expect((await raw(idle.url, 'GET', `/v1/sessions/${sessionHex(frame)}`)).status).toBe(404);
      expect(idle.handler.sessions).toBe(0);
    } finally {
      await idle.close();
    }
  });

  it('completes correctly when replies are lost, by retrying frames the service answers from its cache', async () => {
    const built = await openPlatform({ disclosure: 'exact', items: platform, workers: 1, chunkItems: 25 });
    const handler = createPsiHandler(built.service);
    let requests = 0;
    const lossy = createServer((req, res) => {
      if (++requests % 3 === 0) {
        // The service does the work, but its reply never reaches the client.
        res.end = (() => (res.socket?.destroy(), res)) as typeof res.end;
      }
      handler(req, res);
    });
    await new Promise<void>((r) => lossy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(lossy.address() as AddressInfo).port}`;
      const got = await matchOverHttp({ server: url, items: advertiser, workers: 1, chunkItems: 20, retries: 3, retryDelayMs: 5 });
      expect(got.size).toBe(overlap(advertiser, platform));
      expect(requests).toBeGreaterThan(6);
    } finally {
      lossy.closeAllConnections();
      lossy.close();
      await built.close();
    }
  });
});
