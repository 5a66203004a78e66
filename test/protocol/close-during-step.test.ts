import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../src/wire/frame.js';
import { encodeHandshake, GROUP_RISTRETTO255 } from '../../src/wire/messages.js';
import { PsiParty } from '../../src/protocol/party.js';
// Parties blind on worker threads here, as in the service.
import '../../src/pool/install.js';
import { poolStats } from '../../src/pool/registry.js';
import { emails } from '../transport/helpers.js';
import { codeOf } from './helpers.js';

// Counts every blinder made, so that one made after close() (a fresh key and pool lease) shows.
const made = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/group/create-blinder.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/group/create-blinder.js')>();
  return {
    ...real,
    createBlinder: (...args: Parameters<typeof real.createBlinder>) => {
      made.count++;
      return real.createBlinder(...args);
    },
  };
});

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !condition(); i++) await sleep(10);
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

describe('close() while a step is blinding (the crash of issue 9)', () => {
  it('makes step(HELLO) reject with SESSION_CLOSED, leaves no unhandled rejection, no pool lease and makes no blinder after close', async () => {
    // Several thousand items in chunks the pool takes (>= 128 items), several chunks in flight at once.
    const responder = new PsiParty({
      group: 'ristretto255',
      role: 'responder',
      items: emails(0, 4000),
      learn: 'intersection',
      peerLearns: 'size',
      backend: 'noble',
      workers: 2,
      chunkItems: 256,
    });
    const hello = encodeFrame(
      'hello',
      new Uint8Array(16).fill(9),
      0,
      encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'intersection', itemCount: 10 }),
    );
    expect(poolStats().leased).toBe(0);
    const step = responder.step(hello);
    step.catch(() => undefined);
    // The blinder exists and holds the pool: the responder is blinding its set.
    await until(() => poolStats().leased === 1, 'the responder to lease the pool');
    expect(made.count).toBe(1);

    await responder.close();
    expect(await codeOf(() => step)).toBe('SESSION_CLOSED');
    // Chunks that were in flight settle in the threads; give any late one time to surface.
    await sleep(300);
    expect(poolStats().leased).toBe(0);
    expect(made.count).toBe(1);
    expect(unhandled).toEqual([]);
    expect(responder.done).toBe(false);
    expect(await codeOf(() => responder.step(hello))).toBe('SESSION_CLOSED');
  });

  it('close() during the initiator step that blinds after ACCEPT rejects that step the same way', async () => {
    const initiator = new PsiParty({
      group: 'ristretto255',
      role: 'initiator',
      items: emails(0, 4000),
      learn: 'size',
      peerLearns: 'intersection',
      backend: 'noble',
      workers: 2,
      chunkItems: 256,
    });
    const [hello] = await initiator.step();
    const id = hello!.subarray(8, 24);
    const accept = encodeFrame(
      'accept',
      id,
      0,
      encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'intersection', peerLearns: 'size', itemCount: 5 }),
    );
    made.count = 0;
    const step = initiator.step(accept);
    step.catch(() => undefined);
    await until(() => poolStats().leased === 1, 'the initiator to lease the pool');
    await initiator.close();
    expect(await codeOf(() => step)).toBe('SESSION_CLOSED');
    await sleep(300);
    expect(poolStats().leased).toBe(0);
    expect(made.count).toBe(1);
    expect(unhandled).toEqual([]);
  });
});
