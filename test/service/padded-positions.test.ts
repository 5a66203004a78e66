import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paddedRuns } from '../../src/service/padded-positions.js';

const all = (matches: number[], bound: number, size: number, run?: number) => {
  const runs = [...paddedRuns(matches, bound, size, run === undefined ? {} : { run })];
  return { runs, positions: runs.flatMap((r) => r.positions), hits: runs.flatMap((r) => r.hits) };
};

describe('paddedRuns: every match, padded to the bound', () => {
  it('reads every match and as many others as make the bound, ascending, in runs', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 400 })
          .chain((size) =>
            fc.tuple(
              fc.constant(size),
              fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { maxLength: size }),
              fc.integer({ min: 0, max: size + 20 }),
              fc.integer({ min: 1, max: 50 }),
            ),
          ),
        ([size, matches, bound, run]) => {
          const { runs, positions, hits } = all(matches, bound, size, run);
          expect(positions).toHaveLength(Math.max(matches.length, Math.min(bound, size)));
          expect(positions.every((p, k) => p >= 0 && p < size && (k === 0 || p > positions[k - 1]!))).toBe(true);
          const matched = new Set(matches);
          expect(positions.filter((p) => matched.has(p)).sort((a, b) => a - b)).toEqual([...matches].sort((a, b) => a - b));
          expect(hits).toEqual(positions.map((p) => matched.has(p)));
          expect(runs.every((r) => r.positions.length <= run && r.positions.length === r.hits.length)).toBe(true);
        },
      ),
    );
  });

  it('draws the padding evenly among the positions that did not match', () => {
    const counts = new Array<number>(20).fill(0);
    for (let t = 0; t < 3000; t++) for (const p of all([3, 7], 8, 20).positions) counts[p]!++;
    expect(counts[3]).toBe(3000);
    expect(counts[7]).toBe(3000);
    // Six of the 18 others each time: 1000 expected each, with a standard deviation near 26.
    const others = counts.filter((_, p) => p !== 3 && p !== 7);
    expect(Math.min(...others)).toBeGreaterThan(800);
    expect(Math.max(...others)).toBeLessThan(1200);
  });

  it('draws exactly one random number per padding position, whatever the size of the set and whoever matched', () => {
    const drawn = (matches: number[], size: number) => {
      let bytes = 0;
      const random = (n: number) => {
        bytes += n;
        return crypto.getRandomValues(new Uint8Array(n));
      };
      const positions = [...paddedRuns(matches, 1_000, size, { random })].flatMap((r) => r.positions);
      return { bytes, positions: positions.length };
    };
    const few = drawn([5, 6, 7], 10_000);
    expect(drawn([5, 6, 7], 100_000_000)).toEqual(few);
    expect(drawn([1, 50_000_000, 99_999_999], 100_000_000)).toEqual(few);
    expect(few).toEqual({ bytes: 997 * 6, positions: 1_000 });
  });
});
