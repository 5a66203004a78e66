import { describe, expect, it } from 'vitest';
import { createParty } from '../../src/protocol/index.js';
import type { SessionResult } from '../../src/service/index.js';
import { matchOverHttp } from '../../src/client.js';
import { startPsiServer } from '../../src/service.js';
import { parseFrameHeader, splitFrames } from '../../src/wire/index.js';
import { emails, frameHeaders, matchIndices, overlap, raw } from './helpers.js';

const platform = emails(0, 400);

describe('several clients at once', () => {
  it('gives each concurrent session its own correct result, on both sides', async () => {
    const results: SessionResult[] = [];
    const service = await startPsiServer({
      disclosure: 'exact',
      items: platform,
      learn: 'intersection',
      peerLearns: 'intersection',
      workers: 1,
      chunkItems: 50,
      // Five sessions of the one anonymous client at once: more than its default share of the slots.
      maxSessionsPerToken: 8,
      onResult: (r) => void results.push(r),
    });
    try {
      // Overlaps of 0, 50, 100, 150 and 200 items.
      const clients = [0, 1, 2, 3, 4].map((k) => [...emails(400 - 50 * k, 200), ...emails(5000 + k * 1000, 20, 'x')]);
      const got = await Promise.all(
        clients.map((items) =>
          matchOverHttp({ server: service.url, items, learn: 'intersection', peerLearns: 'intersection', workers: 1, chunkItems: 30 }),
        ),
      );
      got.forEach((g, k) => {
        expect(g.size).toBe(overlap(clients[k]!, platform));
        expect(g.matches).toEqual(matchIndices(clients[k]!, platform));
      });
      expect(new Set(got.map((g) => g.sessionId)).size).toBe(clients.length);
      expect(results).toHaveLength(clients.length);
      for (const r of results) {
        const k = got.findIndex((g) => g.sessionId === r.summary.sessionId);
        const lines = matchIndices(platform, clients[k]!).map((i) => i + 1);
        expect(r.rows?.map((row) => row.line)).toEqual(lines);
        expect(r.summary.size).toBe(lines.length);
      }
      expect(service.handler.sessions).toBe(0);
    } finally {
      await service.close();
    }
  });
});

/** The service's blinded set as one session's client sees it, sorted (the service shuffles its order). */
async function blindedView(url: string): Promise<string[]> {
  const party = createParty({ role: 'initiator', items: ['q@example.com'], learn: 'size', peerLearns: 'intersection', workers: 1 });
  const [hello] = await party.step();
  await party.close();
  const reply = await raw(url, 'POST', '/v1/sessions', { headers: frameHeaders(), body: hello });
  expect(reply.status).toBe(201);
  const elements: string[] = [];
  for (const frame of splitFrames(new Uint8Array(reply.body))) {
    if (parseFrameHeader(frame).type !== 'blinded') continue;
    const payload = Buffer.from(frame.subarray(32 + 4));
    for (let at = 0; at < payload.length; at += 32) elements.push(payload.subarray(at, at + 32).toString('hex'));
  }
  const id = Buffer.from(parseFrameHeader(hello!).sessionId).toString('hex');
  await raw(url, 'DELETE', `/v1/sessions/${id}`);
  return elements.sort();
}

describe('key rotation', () => {
  it('draws a fresh key per session by default: two sessions see unrelated blinded sets', async () => {
    const service = await startPsiServer({ disclosure: 'exact', items: platform.slice(0, 50), workers: 1 });
    try {
      const [a, b] = [await blindedView(service.url), await blindedView(service.url)];
      expect(a).toHaveLength(50);
      expect(a.filter((x) => b.includes(x))).toEqual([]);
    } finally {
      await service.close();
    }
  });

  it('reuses one precomputed set within the rotation interval, and still matches correctly', async () => {
    const service = await startPsiServer({ disclosure: 'exact', items: platform.slice(0, 50), keyRotation: 60_000, workers: 1 });
    try {
      const [a, b] = [await blindedView(service.url), await blindedView(service.url)];
      expect(a).toHaveLength(50);
      expect(b).toEqual(a);
      const items = emails(40, 30);
      const got = await matchOverHttp({ server: service.url, items, workers: 1 });
      expect(got.size).toBe(overlap(items, platform.slice(0, 50)));
    } finally {
      await service.close();
    }
  });

  it('rotates to a new key once the interval has passed', async () => {
    const service = await startPsiServer({ disclosure: 'exact', items: platform.slice(0, 20), keyRotation: 50, workers: 1 });
    try {
      const a = await blindedView(service.url);
      await new Promise((r) => setTimeout(r, 120));
      const b = await blindedView(service.url);
      expect(a.filter((x) => b.includes(x))).toEqual([]);
      const got = await matchOverHttp({ server: service.url, items: emails(10, 20), workers: 1 });
      expect(got.size).toBe(10);
    } finally {
      await service.close();
    }
  });
});
