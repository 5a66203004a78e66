import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Stream } from '../../src/group/hash.js';

const chunks = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 });
const whole = (parts: Uint8Array[]) => sha256(Uint8Array.from(parts.flatMap((p) => [...p])));

describe('sha256Stream', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("gives noble's SHA-256 of everything fed to it, in any cut, with Node's native hash", () => {
    fc.assert(
      fc.property(chunks, (parts) => {
        const stream = sha256Stream();
        for (const part of parts) stream.update(part);
        expect(stream.digest()).toEqual(whole(parts));
      }),
    );
  });

  it('gives the same bytes where Node is not reachable (the browser path)', async () => {
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined });
    vi.resetModules();
    const { sha256Stream: withoutNode } = await import('../../src/group/hash.js');
    fc.assert(
      fc.property(chunks, (parts) => {
        const stream = withoutNode();
        for (const part of parts) stream.update(part);
        expect(stream.digest()).toEqual(whole(parts));
      }),
      { numRuns: 50 },
    );
  });
});
