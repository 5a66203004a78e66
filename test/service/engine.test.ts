import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { PsiParty } from '../../src/protocol/party.js';
import { SessionService } from '../../src/service/engine.js';
import type { TokenEntry } from '../../src/service/tokens.js';
import { decodeFrame, encodeFrame } from '../../src/wire/frame.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { codeOf } from '../protocol/helpers.js';
import { emails } from '../transport/helpers.js';
import { drive } from './drive.js';

// The engine alone, driven frame by frame as any transport would: no sockets.
const users = emails(0, 200);
const acme: TokenEntry = { id: 'acme' };
const other: TokenEntry = { id: 'other' };

const client = (items: string[], learn: 'size' | 'released' = 'size') =>
  new PsiParty({ role: 'initiator', items, learn, peerLearns: 'intersection', workers: 1, chunkItems: 16 });

describe('SessionService without a transport', () => {
  it('completes sessions, hands each result to onResult, and forgets them', async () => {
    const results: unknown[] = [];
    const service = new SessionService({
      items: users,
      disclosure: 'exact',
      workers: 1,
      chunkItems: 16,
      responseBytes: 600,
      onResult: (r) => void results.push(r),
    });
    try {
      const c = client([...emails(150, 100)]);
      await drive(service, acme, c);
      expect(c.result().size).toBe(50);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ summary: { tokenId: 'acme', size: 50, matched: 50, items: 200, rows: 200, peerSize: 100 } });
      expect(service.sessions).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('answers a replayed HELLO from its cache and refuses a conflicting one', async () => {
    const service = new SessionService({ items: users, disclosure: 'exact', workers: 1 });
    try {
      const [hello] = await client(emails(0, 10)).step();
      const first = await service.open(acme, decodeFrame(hello!), hello!);
      const again = await service.open(acme, decodeFrame(hello!), hello!);
      expect(again.frames).toEqual(first.frames);
      expect(await codeOf(() => service.open(other, decodeFrame(hello!), hello!))).toBe('SESSION_EXISTS');
      expect(await codeOf(() => service.status(other, first.sessionId))).toBe('SESSION_NOT_FOUND');
      service.abort(acme, first.sessionId);
      expect(service.sessions).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('refuses an empty HELLO, a token at its concurrency limit, and a HELLO asking for other terms, before any work', async () => {
    const service = new SessionService({ items: users, disclosure: 'exact', group: 'ristretto255', workers: 1, maxSessions: 2 });
    const hello = (count: number, learn: 'size' | 'intersection' = 'size', id = 1) =>
      encodeFrame(
        'hello',
        new Uint8Array(16).fill(id),
        0,
        encodeHandshake({ group: 1, learn, peerLearns: 'intersection', itemCount: count }),
      );
    try {
      const empty = hello(0);
      expect(await codeOf(() => service.open(acme, decodeFrame(empty), empty))).toBe('TOO_FEW_ITEMS');
      const greedy = hello(5, 'intersection');
      expect(await codeOf(() => service.open(acme, decodeFrame(greedy), greedy))).toBe('MODE_MISMATCH');
      const a = hello(5, 'size', 2);
      await service.open(acme, decodeFrame(a), a);
      const b = hello(5, 'size', 3);
      expect(await codeOf(() => service.open(acme, decodeFrame(b), b))).toBe('TOKEN_BUSY');
      await service.open(other, decodeFrame(b), b);
      expect(service.sessions).toBe(2);
    } finally {
      await service.close();
    }
  });

  it('refuses a malformed relationship before anything is charged: the transport passes what the client sent', async () => {
    const service = new SessionService({ items: emails(0, 2000), workers: 1, minItems: 100 });
    try {
      const [hello] = await client(emails(1000, 150), 'released').step();
      for (const relationship of [
        { id: 'crm', fingerprint: 'not hex' },
        { id: '', fingerprint: '00'.repeat(32) },
        { id: 'a:b', fingerprint: '00'.repeat(32) },
      ]) {
        expect(await codeOf(() => service.open(acme, decodeFrame(hello!), hello!, relationship))).toBe('PAYLOAD_INVALID');
      }
      expect(service.sessions).toBe(0);
      expect((await service.budgetOf(acme))?.spent).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('releases a figure under the default policy and charges the budget before blinding', async () => {
    const service = new SessionService({ items: emails(0, 2000), workers: 1, minItems: 100, policy: { epsilon: 0.5 } });
    try {
      expect(service.terms).toMatchObject({ peerLearns: 'released', disclosure: 'policy', minItems: 100, policy: { epsilon: 0.5 } });
      const c = client(emails(1000, 1500), 'released');
      await drive(service, acme, c);
      expect(c.result().released?.value).toBeGreaterThan(800);
      await drive(service, acme, client(emails(1000, 1500), 'released'));
      // Epsilon 1 per window at 0.5 per release: the third session is refused before any work.
      const third = client(emails(1000, 1500), 'released');
      const [hello] = await third.step();
      expect(await codeOf(() => service.open(acme, decodeFrame(hello!), hello!))).toBe('BUDGET_EXCEEDED');
      expect(service.sessions).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('counts users, not identifiers, in results and released figures when users have several identifiers', async () => {
    // 300 users, each with an email and a phone item sharing the user's row.
    const items: string[] = [];
    const rows: { line: number; value: string; cells: string[] }[] = [];
    for (let u = 0; u < 300; u++) {
      const row = { line: u + 2, value: `u${u}`, cells: [`u${u}`] };
      items.push(`user${u}@example.com`, `+1650555${1000 + u}`);
      rows.push(row, row);
    }
    const service = new SessionService({
      items,
      rows,
      rowColumns: ['user_id'],
      workers: 1,
      minItems: 10,
      budget: new MemoryBudget({ budget: 100 }),
      // Noise of scale 0.1 and no rounding: the figure is the count it is made from, give or take 1.
      policy: { epsilon: 10, threshold: null, significantDigits: null },
    });
    try {
      const both = [...items.slice(0, 300)]; // both identifiers of users 0..149
      const c = client(both, 'released');
      await drive(service, acme, c);
      expect(Math.abs(c.result().released!.value! - 150)).toBeLessThanOrEqual(1);
    } finally {
      await service.close();
    }
  });
});
