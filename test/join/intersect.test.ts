import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { countIntersectionPacked, intersectPacked } from '../../src/join/index.js';
import { hashJoin } from '../../src/join/hash-join.js';
import { joinTokens } from '../../src/join/intersect.js';
import { sortJoin } from '../../src/join/sort-join.js';
import { hashTokens, packedTokens, randomHashKeys, withinMemory } from '../../src/join/tokens.js';
import { joinCase, pack, pick, referenceIntersect, seededBytes } from './reference.js';

const list = (x: Uint32Array): number[] => Array.from(x);

/** `count` tokens that differ only in the top bit of word pairs: equal hashes under any keys. */
function collidingFamily(base: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let mask = 0; out.length < count; mask++) {
    const t = base.slice();
    for (let k = 0; k < 7; k++) {
      if ((mask >> k) & 1) {
        t[4 * k + 3]! ^= 0x80;
        t[4 * k + 7]! ^= 0x80;
      }
    }
    out.push(t);
  }
  return out;
}

describe('intersectPacked', () => {
  it('matches a Set<string> join on random overlapping tokens of any width and alignment', () => {
    fc.assert(
      fc.property(joinCase, ({ width, pool, a, b, aOffset, bOffset }) => {
        const pa = pack(pick(pool, a), width, aOffset);
        const pb = pack(pick(pool, b), width, bOffset);
        const expected = referenceIntersect(pa, pb, width);
        expect(list(intersectPacked(pa, pb, { width }))).toEqual(expected);
        expect(countIntersectionPacked(pa, pb, { width })).toBe(expected.length);
      }),
      { numRuns: 300 },
    );
  });

  it('hash join under any keys, even degenerate ones, is exact or gives up', () => {
    const keysArb = fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.integer()), { minLength: 10, maxLength: 10 });
    fc.assert(
      fc.property(joinCase, keysArb, ({ width, pool, a, b, aOffset, bOffset }, keys) => {
        const ta = packedTokens(pack(pick(pool, a), width, aOffset), width, 'a');
        const tb = packedTokens(pack(pick(pool, b), width, bOffset), width, 'b');
        const found = hashJoin(ta, tb, Int32Array.from(keys));
        const expected = referenceIntersect(ta.bytes, tb.bytes, width);
        if (found !== null) expect(list(found.hits.subarray(0, found.count))).toEqual(expected);
        const sorted = sortJoin(ta, tb);
        expect(list(sorted.hits.subarray(0, sorted.count))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('verifies every hash match when all hashes are equal', () => {
    const pool = Array.from({ length: 40 }, (_, i) => seededBytes(32, i + 1));
    const a = pack(pool.filter((_, i) => i % 2 === 0).concat(pool.slice(0, 5)), 32);
    const b = pack(pool.filter((_, i) => i % 3 === 0).concat(pool.slice(0, 3)), 32);
    for (const [x, y] of [
      [a, b],
      [pack([a], a.length, 1), b],
      [a, pack([b], b.length, 2)],
    ] as const) {
      const found = hashJoin(packedTokens(x, 32, 'a'), packedTokens(y, 32, 'b'), new Int32Array(8));
      expect(found).not.toBeNull();
      expect(list(found!.hits.subarray(0, found!.count))).toEqual(referenceIntersect(x, y, 32));
    }
  });

  it('compares 8-byte lanes exactly, including NaN and signed-zero bit patterns', () => {
    const lane = (hex: string) => Buffer.from(hex, 'hex');
    const token = (...lanes: string[]) => new Uint8Array(Buffer.concat(lanes.map(lane)));
    const plusZero = '0000000000000000';
    const minusZero = '0000000000000080';
    const quietNaN = '000000000000f87f';
    const signalingNaN = '010000000000f07f';
    const negNaN = 'ffffffffffffffff';
    const one = '000000000000f03f';
    const tokens = [
      token(plusZero, plusZero, plusZero, plusZero),
      token(minusZero, plusZero, plusZero, plusZero),
      token(one, plusZero, one, one),
      token(one, minusZero, one, one),
      token(quietNaN, one, one, one),
      token(signalingNaN, one, one, one),
      token(one, one, negNaN, one),
      token(one, one, one, one),
    ];
    const a = pack(tokens, 32);
    for (const pick of [
      [0, 2, 4, 5, 6],
      [1, 3],
      [7, 6, 5, 4, 3, 2, 1, 0],
      [1, 3, 7],
    ]) {
      const b = pack(
        pick.map((k) => tokens[k]!),
        32,
      );
      const found = hashJoin(packedTokens(a, 32, 'a'), packedTokens(b, 32, 'b'), new Int32Array(8));
      expect(found).not.toBeNull();
      expect(list(found!.hits.subarray(0, found!.count))).toEqual(referenceIntersect(a, b, 32));
      expect(list(intersectPacked(a, b))).toEqual(referenceIntersect(a, b, 32));
    }
  });

  it('handles 32-byte tokens across many partitions, aligned and not', () => {
    const n = 40_000;
    const a = seededBytes(n * 32, 7);
    const b = seededBytes(n * 32, 11);
    for (let i = 0; i < n; i += 3) b.set(a.subarray(i * 32, i * 32 + 32), ((i * 7919) % n) * 32);
    const expected = referenceIntersect(a, b, 32);
    expect(expected.length).toBeGreaterThan(n / 4);
    expect(list(intersectPacked(a, b))).toEqual(expected);
    const shifted = pack([b], b.length, 3);
    expect(list(intersectPacked(a, shifted))).toEqual(expected);
    expect(list(intersectPacked(pack([a], a.length, 1), b))).toEqual(expected);
  });

  it('reports every index of a token repeated in a, once however often it is in b', () => {
    const x = new Uint8Array(32).fill(7);
    const y = new Uint8Array(32).fill(9);
    const a = pack([x, y, x, x], 32);
    const b = pack([x, x, x, new Uint8Array(32)], 32);
    expect(list(intersectPacked(a, b))).toEqual([0, 2, 3]);
  });

  it('joins 20 000 identical tokens on each side', () => {
    const a = new Uint8Array(20_000 * 32).fill(0xab);
    const b = new Uint8Array(20_000 * 32).fill(0xab);
    const got = intersectPacked(a, b);
    expect(got.length).toBe(20_000);
    expect(got[19_999]).toBe(19_999);
    expect(intersectPacked(a, new Uint8Array(32).fill(0xac)).length).toBe(0);
  });

  it('is exact on tokens sharing long prefixes or differing in one byte', () => {
    const tokens = (n: number, at: number, seed: number) =>
      Array.from({ length: n }, (_, i) => {
        const t = new Uint8Array(32).fill(seed);
        t[at] = i & 0xff;
        t[at === 31 ? 30 : at + 1] = i >> 8;
        return t;
      });
    for (const at of [0, 15, 31]) {
      const a = pack(tokens(3000, at, 1), 32);
      const b = pack(
        tokens(4000, at, 1).filter((_, i) => i % 2 === 0),
        32,
      );
      expect(list(intersectPacked(a, b))).toEqual(referenceIntersect(a, b, 32));
    }
  });

  it('stays exact and falls back to sorting on crafted colliding tokens', () => {
    const families = Array.from({ length: 48 }, (_, f) => collidingFamily(seededBytes(32, f + 1), 128));
    const b = pack(
      families.flat().filter((_, i) => i % 3 !== 0),
      32,
    );
    const a = pack(
      families.flat().filter((_, i) => i % 2 === 0),
      32,
    );
    const ta = packedTokens(a, 32, 'a');
    const tb = packedTokens(b, 32, 'b');
    expect(
      hashJoin(
        ta,
        tb,
        Int32Array.from({ length: 8 }, (_, k) => (0x2545f491 * (k + 1)) | 1),
      ),
    ).toBeNull();
    const expected = referenceIntersect(a, b, 32);
    expect(list(intersectPacked(a, b))).toEqual(expected);
    const viaKeys = joinTokens(ta, tb, new Int32Array(8));
    expect(list(viaKeys.hits.subarray(0, viaKeys.count))).toEqual(expected);
  });

  it('returns nothing for empty inputs', () => {
    const some = seededBytes(64, 3);
    expect(intersectPacked(new Uint8Array(0), some).length).toBe(0);
    expect(intersectPacked(some, new Uint8Array(0)).length).toBe(0);
    expect(intersectPacked(new Uint8Array(0), new Uint8Array(0), { width: 5 }).length).toBe(0);
    expect(countIntersectionPacked(some, new Uint8Array(0))).toBe(0);
  });

  it('accepts Buffers and full-width tokens up to 1024 bytes', () => {
    const t = seededBytes(1024, 5);
    expect(list(intersectPacked(Buffer.from(t), Buffer.concat([t, t]), { width: 1024 }))).toEqual([0]);
  });

  it('rejects bad inputs with JOIN_INPUT_INVALID', () => {
    const ok = new Uint8Array(64);
    const bad: [unknown, unknown, unknown][] = [
      [new Uint8Array(33), ok, undefined],
      [ok, new Uint8Array(31), undefined],
      [ok, ok, { width: 0 }],
      [ok, ok, { width: -32 }],
      [ok, ok, { width: 1.5 }],
      [ok, ok, { width: 1025 }],
      [ok, ok, { width: Number.NaN }],
      [ok, ok, { width: '32' }],
      [ok, ok, null],
      [ok, ok, 32],
      [[1, 2], ok, { width: 1 }],
      [ok, new Uint16Array(32), undefined],
      [ok, 'abc', { width: 1 }],
      [undefined, ok, undefined],
    ];
    for (const [a, b, opts] of bad) {
      const call = () => intersectPacked(a as Uint8Array, b as Uint8Array, opts as { width?: number });
      expect(call).toThrow(PsiError);
      try {
        call();
      } catch (e) {
        expect((e as PsiError).code).toBe('JOIN_INPUT_INVALID');
      }
      expect(() => countIntersectionPacked(a as Uint8Array, b as Uint8Array, opts as { width?: number })).toThrow(PsiError);
    }
  });
});

describe('hashTokens', () => {
  it('gives the same hash whatever the alignment, and separates one-byte differences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 7 }), fc.nat(), (width, offset, seed) => {
        const keys = randomHashKeys(width);
        const bytes = seededBytes(width * 6, seed);
        bytes.copyWithin(width, 0, width);
        bytes[width + ((seed >>> 3) % width)]! ^= 1 << (seed & 7);
        const aligned = packedTokens(bytes, width, 'x');
        const shifted = packedTokens(pack([bytes], bytes.length, offset), width, 'x');
        const h1 = new Uint32Array(6);
        const h2 = new Uint32Array(6);
        hashTokens(aligned, keys, h1);
        hashTokens(shifted, keys, h2);
        expect(list(h2)).toEqual(list(h1));
        expect(h1[0]).not.toBe(h1[1]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('withinMemory', () => {
  it('reports a failed allocation as JOIN_INPUT_TOO_LARGE and passes other errors through', () => {
    expect(withinMemory(() => 5)).toBe(5);
    try {
      withinMemory(() => new Uint32Array(-1));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PsiError);
      expect((e as PsiError).code).toBe('JOIN_INPUT_TOO_LARGE');
    }
    const other = new PsiError('INTERNAL', 'y');
    expect(() =>
      withinMemory(() => {
        throw other;
      }),
    ).toThrow(other);
  });
});
