import { describe, expect, it } from 'vitest';
import { createParty, runLocal } from '../../src/node.js';
import { encodeFrame } from '../../src/primitives.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { codeOf, pair } from './helpers.js';

describe('handshake', () => {
  it('refuses a session where the parties disagree on who learns what', async () => {
    const initiator = createParty({ role: 'initiator', items: ['a'], learn: 'intersection', peerLearns: 'size', workers: 1 });
    const responder = createParty({ role: 'responder', items: ['a'], learn: 'intersection', peerLearns: 'size', workers: 1 });
    expect(await codeOf(() => runLocal(initiator, responder))).toBe('MODE_MISMATCH');
    expect(responder.done).toBe(false);
    expect(await codeOf(() => responder.result())).toBe('NOT_DONE');
  });

  it('the initiator also checks the responder terms', async () => {
    const initiator = createParty({
      role: 'initiator',
      items: ['a'],
      learn: 'size',
      peerLearns: 'none',
      group: 'ristretto255',
      workers: 1,
    });
    const hello = (await initiator.step())[0]!;
    const sessionId = hello.subarray(8, 24);
    const accept = encodeFrame(
      'accept',
      sessionId,
      0,
      encodeHandshake({ group: 1, learn: 'intersection', peerLearns: 'size', itemCount: 1 }),
    );
    expect(await codeOf(() => initiator.step(accept))).toBe('MODE_MISMATCH');
  });

  it('refuses another group or protocol version', async () => {
    const responder = createParty({
      role: 'responder',
      items: ['a'],
      learn: 'size',
      peerLearns: 'size',
      group: 'ristretto255',
      workers: 1,
    });
    const id = new Uint8Array(16).fill(7);
    const otherGroup = encodeFrame('hello', id, 0, encodeHandshake({ group: 2, learn: 'size', peerLearns: 'size', itemCount: 1 }));
    expect(await codeOf(() => responder.step(otherGroup))).toBe('GROUP_MISMATCH');
    const hello = encodeFrame('hello', id, 0, encodeHandshake({ group: 1, learn: 'size', peerLearns: 'size', itemCount: 1 }));
    const v2 = hello.slice();
    v2[4] = 2;
    expect(await codeOf(() => responder.step(v2))).toBe('VERSION_MISMATCH');
    expect((await responder.step(hello)).length).toBeGreaterThan(0);
  });

  it('enforces maxPeerItems on the declared count', async () => {
    const items = Array.from({ length: 11 }, (_, i) => `u${i}`);
    const [initiator, responder] = pair(items, ['a'], 'size', 'size', { maxPeerItems: 10 });
    expect(await codeOf(() => runLocal(initiator, responder))).toBe('TOO_MANY_ITEMS');
  });

  it('counts distinct items only: duplicates are never revealed', async () => {
    const [initiator, responder] = pair(['a', 'a', 'b', 'a'], ['x', 'x'], 'size', 'size');
    await runLocal(initiator, responder);
    expect(responder.result().peerSize).toBe(2);
    expect(initiator.result().peerSize).toBe(1);
  });
});

describe('options and misuse', () => {
  const base = { role: 'initiator', items: ['a'], learn: 'size', peerLearns: 'size' } as const;
  it.each([
    ['unknown role', { ...base, role: 'observer' }, 'ROLE_INVALID'],
    ['unknown reveal', { ...base, learn: 'everything' }, 'REVEAL_INVALID'],
    ['unknown peer reveal', { ...base, peerLearns: 1 }, 'REVEAL_INVALID'],
    ['items not an array', { ...base, items: 'abc' }, 'ITEMS_INVALID'],
    ['a number item', { ...base, items: ['a', 3] }, 'ITEMS_INVALID'],
    ['a null item', { ...base, items: [null] }, 'ITEMS_INVALID'],
    ['bad maxPeerItems', { ...base, maxPeerItems: -1 }, 'OPTIONS_INVALID'],
    ['bad chunkItems', { ...base, chunkItems: 1e9 }, 'OPTIONS_INVALID'],
    ['unknown backend', { ...base, backend: 'gpu' }, 'BACKEND_UNKNOWN'],
    ['no options', undefined, 'OPTIONS_INVALID'],
  ])('%s throws PsiError', async (_, opts, code) => {
    expect(await codeOf(() => createParty(opts as never))).toBe(code);
  });

  it('misuse of step() is a typed error and leaves the party usable', async () => {
    const initiator = createParty({ ...base, workers: 1 });
    expect(await codeOf(() => initiator.step(new Uint8Array(40)))).toBe('UNEXPECTED_FRAME');
    const hello = await initiator.step();
    expect(hello).toHaveLength(1);
    expect(await codeOf(() => initiator.step())).toBe('MESSAGE_REQUIRED');
    const responder = createParty({ ...base, role: 'responder', workers: 1 });
    expect(await codeOf(() => responder.step())).toBe('MESSAGE_REQUIRED');
  });

  it('a finished or closed party refuses further messages', async () => {
    const [initiator, responder] = pair(['a'], ['a'], 'size', 'size');
    await runLocal(initiator, responder);
    expect(await codeOf(() => initiator.step(new Uint8Array(32)))).toBe('SESSION_DONE');
    const fresh = createParty({ ...base, workers: 1 });
    await fresh.close();
    expect(await codeOf(() => fresh.step())).toBe('SESSION_CLOSED');
  });
});
