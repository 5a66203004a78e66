import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { AdvertiserParty, PlatformParty } from '../../src/measurement/index.js';
import { createParty } from '../../src/protocol/index.js';
import type { Party } from '../../src/protocol/types.js';

const common = { backend: 'noble', workers: 1, group: 'ristretto255' } as const;
const items = ['a@example.com', 'b@example.com', 'c@example.com'];

/** Every kind of party, fresh, in the role that takes a message at its first step, and an initiator past its first step. */
const parties: Record<string, () => Promise<Party>> = {
  'PsiParty responder': async () => createParty({ ...common, role: 'responder', items, learn: 'intersection', peerLearns: 'size' }),
  'PsiParty initiator after HELLO': async () => {
    const party = createParty({ ...common, role: 'initiator', items, learn: 'size', peerLearns: 'intersection' });
    await party.step();
    return party;
  },
  'PlatformParty responder': async () =>
    new PlatformParty({ ...common, role: 'responder', items, learn: 'intersection', peerLearns: 'size' }, { backend: 'noble' }),
  'AdvertiserParty initiator after HELLO': async () => {
    const party = new AdvertiserParty(
      { ...common, role: 'initiator', items, learn: 'size', peerLearns: 'intersection' },
      { values: { amount: [1, 2, 3] }, valueBound: 10, backend: 'noble' },
    );
    await party.step();
    return party;
  },
};

/** What a JavaScript caller may hand `step()` that is not a frame's bytes. */
const junk = fc.oneof(
  fc.constant(null),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.bigInt(),
  fc.object(),
  fc.array(fc.integer({ min: 0, max: 255 })),
  fc.constant(new ArrayBuffer(64)),
  fc.constant(new DataView(new ArrayBuffer(64))),
);

/** The step's failure, thrown at once or rejected, as one value. */
async function failureOf(party: Party, input: unknown): Promise<unknown> {
  try {
    await party.step(input as Uint8Array);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('step() with what is not a frame', () => {
  for (const [name, make] of Object.entries(parties)) {
    it(`${name}: step(null) is a PsiError FRAME_INVALID, not a TypeError`, async () => {
      const party = await make();
      const error = await failureOf(party, null);
      expect(error).toBeInstanceOf(PsiError);
      expect((error as PsiError).code).toBe('FRAME_INVALID');
      await party.close();
    });

    it(`${name}: any junk input fails with a PsiError`, async () => {
      await fc.assert(
        fc.asyncProperty(junk, async (input) => {
          const party = await make();
          try {
            const error = await failureOf(party, input);
            expect(error).toBeInstanceOf(PsiError);
          } finally {
            await party.close();
          }
        }),
        { numRuns: 40 },
      );
    });
  }
});
