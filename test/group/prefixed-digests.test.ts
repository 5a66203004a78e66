import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { prefixedDigests } from '../../src/group/hash.js';

/** The reference: noble's SHA-256 of the prefix and one record, cut. */
function reference(prefix: Uint8Array, packed: Uint8Array, width: number, outBytes: number): Uint8Array {
  const out = new Uint8Array((packed.length / width) * outBytes);
  for (let i = 0; i < packed.length / width; i++) {
    const record = packed.subarray(i * width, (i + 1) * width);
    out.set(sha256(Uint8Array.from([...prefix, ...record])).subarray(0, outBytes), i * outBytes);
  }
  return out;
}

const cases = fc
  .record({
    prefix: fc.uint8Array({ maxLength: 80 }),
    width: fc.integer({ min: 1, max: 96 }),
    count: fc.nat(20),
    outBytes: fc.integer({ min: 1, max: 32 }),
  })
  .chain((c) => fc.tuple(fc.constant(c), fc.uint8Array({ minLength: c.width * c.count, maxLength: c.width * c.count })));

describe('prefixedDigests', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("gives noble's SHA-256 of the prefix and each record, cut, with Node's native one-shot hash", () => {
    fc.assert(
      fc.property(cases, ([{ prefix, width, outBytes }, packed]) => {
        expect(prefixedDigests(prefix, packed, width, outBytes)).toEqual(reference(prefix, packed, width, outBytes));
      }),
    );
  });

  it('gives the same bytes where Node is not reachable (the browser path)', async () => {
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined });
    vi.resetModules();
    const { prefixedDigests: withoutNode } = await import('../../src/group/hash.js');
    fc.assert(
      fc.property(cases, ([{ prefix, width, outBytes }, packed]) => {
        expect(withoutNode(prefix, packed, width, outBytes)).toEqual(reference(prefix, packed, width, outBytes));
      }),
      { numRuns: 50 },
    );
  });
});
