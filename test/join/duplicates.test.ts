import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { findDuplicatePacked } from '../../src/join/index.js';
import { firstDuplicate, hashFirstDuplicate } from '../../src/join/duplicates.js';
import { sortFirstDuplicate } from '../../src/join/sort-join.js';
import { packedTokens } from '../../src/join/tokens.js';
import { joinCase, pack, pick, referenceFirstDuplicate, seededBytes } from './reference.js';

describe('findDuplicatePacked', () => {
  it('finds the first repeat like a Set<string> scan, for any width and alignment', () => {
    fc.assert(
      fc.property(joinCase, ({ width, pool, a, aOffset }) => {
        const packed = pack(pick(pool, a), width, aOffset);
        expect(findDuplicatePacked(packed, { width })).toBe(referenceFirstDuplicate(packed, width));
      }),
      { numRuns: 300 },
    );
  });

  it('hash search under any keys is exact or gives up; the sort search is exact', () => {
    const keysArb = fc.array(fc.oneof(fc.constant(0), fc.integer()), { minLength: 10, maxLength: 10 });
    fc.assert(
      fc.property(joinCase, keysArb, ({ width, pool, a, aOffset }, keys) => {
        const t = packedTokens(pack(pick(pool, a), width, aOffset), width, 'a');
        const expected = referenceFirstDuplicate(t.bytes, width);
        const found = hashFirstDuplicate(t, Int32Array.from(keys));
        if (found !== null) expect(found).toBe(expected);
        expect(sortFirstDuplicate(t)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('finds the earliest repeat among many partitions', () => {
    const n = 30_000;
    const a = seededBytes(n * 32, 99);
    expect(findDuplicatePacked(a)).toBe(-1);
    a.copyWithin(25_000 * 32, 17 * 32, 18 * 32);
    a.copyWithin(21_000 * 32, 29_999 * 32, 30_000 * 32);
    expect(findDuplicatePacked(a)).toBe(25_000);
    a.copyWithin(12_345 * 32, 12_344 * 32, 12_345 * 32);
    expect(findDuplicatePacked(a)).toBe(12_345);
    expect(findDuplicatePacked(pack([a], a.length, 2))).toBe(12_345);
  });

  it('handles all-equal tokens, empty and single-token inputs', () => {
    expect(findDuplicatePacked(new Uint8Array(50_000 * 32).fill(1))).toBe(1);
    expect(findDuplicatePacked(new Uint8Array(0))).toBe(-1);
    expect(findDuplicatePacked(new Uint8Array(32))).toBe(-1);
  });

  it('falls back to sorting when every hash collides', () => {
    const t = packedTokens(seededBytes(4000 * 32, 5), 32, 'a');
    expect(hashFirstDuplicate(t, new Int32Array(8))).toBeNull();
    expect(firstDuplicate(t, new Int32Array(8))).toBe(-1);
    t.bytes.copyWithin(3000 * 32, 10 * 32, 11 * 32);
    expect(firstDuplicate(t, new Int32Array(8))).toBe(3000);
  });

  it('rejects bad inputs with JOIN_INPUT_INVALID', () => {
    for (const [packed, opts] of [
      [new Uint8Array(33), undefined],
      [new Uint8Array(4), { width: 0 }],
      [new Uint8Array(4), { width: 2000 }],
      [[1, 2, 3], { width: 1 }],
      [new Uint8Array(4), 'wide'],
    ] as const) {
      try {
        findDuplicatePacked(packed as Uint8Array, opts as { width?: number });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(PsiError);
        expect((e as PsiError).code).toBe('JOIN_INPUT_INVALID');
      }
    }
  });
});
