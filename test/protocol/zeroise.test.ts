import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it, vi } from 'vitest';
import { loadRistretto255SodiumBackend } from '../../src/group/ristretto255/sodium.js';
import { runLocal } from '../../src/node.js';
import { asBlindedSetData, blindSet } from '../../src/protocol/blinded-set.js';
import { codeOf, pair } from './helpers.js';

// Records every key randomScalar hands out, to look at those very arrays later.
const keys = vi.hoisted(() => [] as Uint8Array[]);
vi.mock('../../src/group/scalar.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/group/scalar.js')>();
  return {
    ...real,
    randomScalar: (...args: Parameters<typeof real.randomScalar>) => {
      const key = real.randomScalar(...args);
      keys.push(key);
      return key;
    },
  };
});

const allZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

describe('keys are zeroised', () => {
  it('when a session completes, before close() is called, on both sides', async () => {
    keys.length = 0;
    const [initiator, responder] = pair(['a', 'b', 'c'], ['b', 'c', 'd'], 'size', 'intersection', { group: 'ristretto255' });
    await runLocal(initiator, responder);
    expect(initiator.done && responder.done).toBe(true);
    expect(initiator.result().size).toBe(2);
    // One key per party, drawn by the session, and nothing left of either without any close().
    expect(keys).toHaveLength(2);
    expect(keys.map(allZero)).toEqual([true, true]);
  });

  it('by BlindedSet.destroy(), after which no party can be made from the set', async () => {
    keys.length = 0;
    const set = await blindSet(['a', 'b'], { backend: 'noble', workers: 1, group: 'ristretto255' });
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(allZero(key)).toBe(false);
    const data = asBlindedSetData(set);
    expect(data.copyKey()).toEqual(key);
    set.destroy();
    expect(allZero(key)).toBe(true);
    expect(await codeOf(() => data.copyKey())).toBe('SET_DESTROYED');
  });
});

describe("the scalar does not stay in libsodium's WASM heap", () => {
  /** Offsets at which `needle` occurs in `haystack`. */
  function find(haystack: Uint8Array, needle: Uint8Array): number[] {
    const found: number[] = [];
    for (
      let at = haystack.indexOf(needle[0]!);
      at !== -1 && at <= haystack.length - needle.length;
      at = haystack.indexOf(needle[0]!, at + 1)
    ) {
      let i = 1;
      while (i < needle.length && haystack[at + i] === needle[i]) i++;
      if (i === needle.length) found.push(at);
    }
    return found;
  }

  it('after blindUniform and multiply with a known key, its 32 bytes are nowhere in HEAPU8', async () => {
    const backend = await loadRistretto255SodiumBackend();
    const heap = () => (sodium as unknown as { libsodium: { HEAPU8: Uint8Array } }).libsodium.HEAPU8;
    // A recognisable key below the group order (top byte small), distinct from anything libsodium holds.
    const key = Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0x05 : 0xa0 + i));
    const uniform = Uint8Array.from({ length: 300 * 64 }, (_, i) => (i * 31 + 7) & 0xff);
    const blinded = backend.blindUniform(uniform, key);
    expect(find(heap(), key)).toEqual([]);
    const again = backend.multiply(blinded, key);
    expect(again).toHaveLength(blinded.length);
    expect(find(heap(), key)).toEqual([]);
    // The search itself works: the last output element is still in libsodium's scratch area.
    expect(find(heap(), again.subarray(again.length - 32)).length).toBeGreaterThan(0);
  });
});
