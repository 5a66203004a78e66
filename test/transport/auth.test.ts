import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokens } from '../../src/service/index.js';
import { startPsiServer, type PsiServer } from '../../src/service.js';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeHandshake, GROUP_RISTRETTO255 } from '../../src/wire/messages.js';
import { emails, frameHeaders, raw } from './helpers.js';

const ACME = 'acme-0123456789abcdef0123456789abcdef';
const BETA = 'beta-fedcba9876543210fedcba9876543210';
const tokens = parseTokens(`acme ${ACME}\nbeta ${BETA}\n`);

const sessionId = new Uint8Array(16).fill(0x5a);
const id = Buffer.from(sessionId).toString('hex');
const helloFrame = encodeFrame(
  'hello',
  sessionId,
  0,
  encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'intersection', itemCount: 2 }),
);
// A well-formed next frame of that session (its element is never reached by a refused request).
const blindedFrame = encodeFrame('blinded', sessionId, 1, new Uint8Array(4 + 32));

let service: PsiServer;
beforeAll(async () => {
  service = await startPsiServer({ disclosure: 'exact', group: 'ristretto255', items: emails(0, 20), tokens, workers: 1 });
  const created = await raw(service.url, 'POST', '/v1/sessions', { headers: frameHeaders(ACME), body: helloFrame });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await service.close();
});

/** The four session routes, each as (method, path, body). */
const routes = [
  ['GET', `/v1/sessions/${id}/frames`, undefined],
  ['POST', `/v1/sessions/${id}/frames`, blindedFrame],
  ['GET', `/v1/sessions/${id}`, undefined],
  ['DELETE', `/v1/sessions/${id}`, undefined],
] as const;

/** Whether acme's session is still there, untouched. */
async function stillThere(): Promise<void> {
  const status = await raw(service.url, 'GET', `/v1/sessions/${id}`, { headers: frameHeaders(ACME) });
  expect(status.status).toBe(200);
  expect(status.json()).toMatchObject({ sessionId: id, state: 'open', framesReceived: 1 });
}

describe('bearer check on every session route', () => {
  it.each(routes)('%s %s without a token is 401 UNAUTHORIZED and leaves the session alone', async (method, path, body) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/octet-stream' };
    const reply = await raw(service.url, method, path, { headers, ...(body === undefined ? {} : { body }) });
    expect([reply.status, reply.json().code, reply.headers['www-authenticate']]).toEqual([401, 'UNAUTHORIZED', 'Bearer']);
    await stillThere();
  });

  it.each(routes)('%s %s with a wrong token is 401 UNAUTHORIZED', async (method, path, body) => {
    const reply = await raw(service.url, method, path, {
      headers: frameHeaders('acme-not-the-right-token-0000000000000'),
      ...(body === undefined ? {} : { body }),
    });
    expect([reply.status, reply.json().code]).toEqual([401, 'UNAUTHORIZED']);
    await stillThere();
  });

  it.each(routes)(
    "%s %s with another valid token is 404 SESSION_NOT_FOUND and leaves the owner's session alone",
    async (method, path, body) => {
      const reply = await raw(service.url, method, path, { headers: frameHeaders(BETA), ...(body === undefined ? {} : { body }) });
      expect([reply.status, reply.json().code]).toEqual([404, 'SESSION_NOT_FOUND']);
      await stillThere();
    },
  );
});
