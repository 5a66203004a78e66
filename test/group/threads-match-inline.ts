import { randomBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { expect } from 'vitest';
import { chunkedBlinder } from '../../src/group/chunked-blinder.js';
import { UNIFORM_BYTES } from '../../src/group/constants.js';
import type { SyncGroupBackend } from '../../src/group/suite.js';
import type { BlindingLease } from '../../src/group/threads.js';

/**
 * The property every thread pool keeps, Node's or the page's: over random call and piece sizes, a chunked blinder
 * on the threads of `lease()` blinds and reblinds byte for byte as `backend` does inline.
 */
export async function expectThreadsMatchInline(
  backend: SyncGroupBackend,
  randomKey: () => Uint8Array,
  lease: () => BlindingLease,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 16 }), async (n, pieceItems) => {
      const key = randomKey();
      const blinder = chunkedBlinder(backend, key.slice(), lease(), { inlineBelow: 0, pieceItems });
      try {
        const uniform = randomBytes(n * UNIFORM_BYTES);
        const mine = await blinder.blind(uniform);
        expect(mine).toEqual(backend.blindUniform(uniform, key));
        expect(await blinder.reblind(mine)).toEqual(backend.multiply(mine, key));
      } finally {
        await blinder.close();
      }
    }),
    { numRuns },
  );
}
