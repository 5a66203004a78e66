import { describe, expect, it } from 'vitest';
import { PsiParty } from '../../src/protocol/party.js';
import type { StoredSet } from '../../src/protocol/stored-set.js';
import { Outbox } from '../../src/service/outbox.js';
import { openStore } from '../../src/store/reader.js';
import { prepareStore } from '../../src/store/writer.js';
import { users, withDir } from './helpers.js';

/** A stored set that counts the elements read from it. */
function counting(set: StoredSet): StoredSet & { elementsRead: number } {
  const counted = {
    group: set.group,
    size: set.size,
    elementsRead: 0,
    copyKey: () => set.copyKey(),
    read: async (from: number, to: number) => {
      counted.elementsRead += to - from;
      return set.read(from, to);
    },
  };
  return counted;
}

describe('a session on a stored set holds a few chunks of it, never the whole', () => {
  it('reads nothing at the handshake, then one reply of frames at a time as the client pulls', async () => {
    await withDir(async (dir) => {
      await prepareStore(dir, users(1000), { segmentItems: 100, workers: 1 });
      const store = await openStore(dir);
      try {
        const set = counting(store.set);
        const platform = new PsiParty({
          role: 'responder',
          storedSet: set,
          learn: 'intersection',
          peerLearns: 'released',
          chunkItems: 50,
          workers: 1,
        });
        platform.deferOwnFrames();
        const client = new PsiParty({
          role: 'initiator',
          items: users(10).items,
          learn: 'released',
          peerLearns: 'intersection',
          workers: 1,
        });
        const [hello] = await client.step();
        const answer = await platform.step(hello);
        expect(answer).toHaveLength(1); // ACCEPT only
        expect(set.elementsRead).toBe(0);
        const outbox = new Outbox();
        outbox.push(answer);
        outbox.pushDeferred(platform.takeDeferred()!);
        expect(outbox.length).toBe(1 + 20);
        // A reply of about 5 frames of 50 elements (32 + 4 + 1600 bytes each) after ACCEPT makes only those,
        // and the one that did not fit, kept for the next reply.
        const batch = await outbox.batch(5 * 1700);
        expect(batch.frames).toHaveLength(6);
        expect(set.elementsRead).toBe(6 * 50);
        // A lost reply is made again, the same bytes; acknowledged frames are dropped.
        const again = await outbox.batch(5 * 1700);
        expect(again.frames).toEqual(batch.frames);
        const read = set.elementsRead;
        outbox.acknowledge(6);
        expect(outbox.start).toBe(6);
        expect(outbox.length).toBe(15);
        const next = await outbox.batch(2 * 1700);
        expect(next.firstSeq).toBe(6);
        expect(next.frames).toHaveLength(2);
        expect(set.elementsRead - read).toBeLessThanOrEqual(3 * 50);
      } finally {
        store.close();
      }
    });
  });
});
