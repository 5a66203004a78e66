import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDecryptionTable,
  decryptValues,
  encodePlaintexts,
  encryptValues,
  encryptValuesPublic,
  generateKeyPair,
  loadHomomorphicBackend,
  nobleHomomorphic,
  publicKeyOf,
  rerandomizeCiphertexts,
  sumBound,
} from '../../src/homomorphic/index.js';

const backends = [nobleHomomorphic, await loadHomomorphicBackend('sodium')];
const VALUE_BOUND = 1000n;
const MAX_ROWS = 12;
const NOISE_BOUND = 50n;
const BOUND = sumBound({ valueBound: VALUE_BOUND, maxRows: MAX_ROWS, noiseBound: NOISE_BOUND }); // 12050
const table = createDecryptionTable({ bound: BOUND, babySteps: 64 });
const valueArb = fc.bigInt({ min: -VALUE_BOUND, max: VALUE_BOUND });

describe.each(backends)('exponential ElGamal over $name', (he) => {
  const keys = generateKeyPair();

  it('the decryption of a sum is the sum of the decryptions, over any chosen rows', () => {
    fc.assert(
      fc.property(
        fc.array(valueArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: MAX_ROWS }),
        (values, picks) => {
          const cts = encryptValues(he, values, keys.secretKey, VALUE_BOUND);
          expect(decryptValues(he, table, cts, keys.secretKey)).toEqual(values);
          const rows = Uint32Array.from(picks, (k) => k % values.length);
          const expected = Array.from(rows).reduce((acc, i) => acc + values[i]!, 0n);
          expect(decryptValues(he, table, he.sum(cts, rows), keys.secretKey)).toEqual([expected]);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('add, addPlain and encrypted noise under the public key add plaintexts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(valueArb, valueArb, fc.bigInt({ min: -NOISE_BOUND, max: NOISE_BOUND })), { minLength: 1, maxLength: 4 }),
        (rows) => {
          const a = encryptValues(
            he,
            rows.map((r) => r[0]),
            keys.secretKey,
            VALUE_BOUND,
          );
          const b = encryptValues(
            he,
            rows.map((r) => r[1]),
            keys.secretKey,
            VALUE_BOUND,
          );
          const noise = encryptValuesPublic(
            he,
            rows.map((r) => r[2]),
            keys.publicKey,
            NOISE_BOUND,
          );
          const total = he.add(he.add(a, b), noise);
          expect(decryptValues(he, table, total, keys.secretKey)).toEqual(rows.map(([x, y, z]) => x + y + z));
          const shifted = he.addPlain(
            a,
            encodePlaintexts(
              rows.map((r) => r[1]),
              VALUE_BOUND,
            ),
          );
          expect(decryptValues(he, table, shifted, keys.secretKey)).toEqual(rows.map(([x, y]) => x + y));
        },
      ),
      { numRuns: 8 },
    );
  });

  it('re-randomised ciphertexts differ in bytes (both parts) and decrypt to the same value', () => {
    const values = [0n, 1n, -1n, VALUE_BOUND];
    const cts = encryptValues(he, values, keys.secretKey, VALUE_BOUND);
    const once = rerandomizeCiphertexts(he, cts, keys.publicKey);
    const twice = rerandomizeCiphertexts(he, cts, keys.publicKey);
    for (let i = 0; i < values.length; i++) {
      for (const [x, y] of [
        [cts, once],
        [once, twice],
      ]) {
        expect(Buffer.from(x!.subarray(64 * i, 64 * i + 32))).not.toEqual(Buffer.from(y!.subarray(64 * i, 64 * i + 32)));
        expect(Buffer.from(x!.subarray(64 * i + 32, 64 * i + 64))).not.toEqual(Buffer.from(y!.subarray(64 * i + 32, 64 * i + 64)));
      }
    }
    expect(decryptValues(he, table, once, keys.secretKey)).toEqual(values);
    expect(decryptValues(he, table, twice, keys.secretKey)).toEqual(values);
    // Encrypting the same values twice gives different bytes too (fresh nonces).
    expect(encryptValues(he, values, keys.secretKey, VALUE_BOUND)).not.toEqual(cts);
  });

  it('a sum beyond the bound is SUM_OUT_OF_RANGE, never a wrapped value', () => {
    const atBound = encryptValues(he, [VALUE_BOUND], keys.secretKey, VALUE_BOUND);
    const rows = new Uint32Array(MAX_ROWS + 13).fill(0); // 25 x 1000 = 25,000 > 12,050
    expect(() => decryptValues(he, table, he.sum(atBound, rows), keys.secretKey)).toThrow(
      expect.objectContaining({ code: 'SUM_OUT_OF_RANGE' }),
    );
    const edge = he.addPlain(he.sum(atBound, new Uint32Array(MAX_ROWS)), encodePlaintexts([NOISE_BOUND], NOISE_BOUND));
    expect(decryptValues(he, table, edge, keys.secretKey)).toEqual([BOUND]);
    const over = he.addPlain(edge, encodePlaintexts([1n], 1n));
    expect(() => decryptValues(he, table, over, keys.secretKey)).toThrow(expect.objectContaining({ code: 'SUM_OUT_OF_RANGE' }));
    // Decrypting under another key finds nothing in range either (with overwhelming probability).
    expect(() => decryptValues(he, table, atBound, generateKeyPair().secretKey)).toThrow(
      expect.objectContaining({ code: 'SUM_OUT_OF_RANGE' }),
    );
  });

  it('keys: the public key is s·G and is what encryption by public key uses', () => {
    expect(publicKeyOf(keys.secretKey)).toEqual(keys.publicKey);
    expect(keys.secretKey).toHaveLength(32);
    expect(() => publicKeyOf(new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'SCALAR_INVALID' }));
  });
});

describe('decryption table (baby-step giant-step)', () => {
  it('solves every value in [-B, B] exactly, for odd table shapes too, and nothing outside', () => {
    const he = nobleHomomorphic;
    const { secretKey } = generateKeyPair();
    const B = 40n;
    const values = Array.from({ length: 2 * Number(B) + 1 }, (_, k) => BigInt(k) - B);
    const points = he.decryptToPoints(encryptValues(he, values, secretKey, B), secretKey);
    for (const babySteps of [1, 2, 3, 7, 41, 64]) {
      const t = createDecryptionTable({ bound: B, babySteps });
      expect(t.solveAll(points)).toEqual(values);
      const outside = he.decryptToPoints(encryptValues(he, [B + 1n, -B - 1n, 3n * B], secretKey, 3n * B), secretKey);
      for (let i = 0; i < 3; i++) {
        expect(() => t.solve(outside.subarray(32 * i, 32 * i + 32))).toThrow(expect.objectContaining({ code: 'SUM_OUT_OF_RANGE' }));
      }
    }
  });

  it('solves random values of a 2^32 range, including its edges', () => {
    const he = nobleHomomorphic;
    const { secretKey } = generateKeyPair();
    const t = createDecryptionTable({ bound: 2n ** 32n, babySteps: 2 ** 14 });
    expect(t.babySteps).toBe(16384);
    expect(t.bytes).toBe(2 * 4 * 32768);
    expect(t.maxGiantSteps).toBe(2 * Math.ceil((2 ** 32 - 16383) / 32767) + 1);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 20n), max: 2n ** 20n }), (m) => {
        const point = he.decryptToPoints(encryptValues(he, [m], secretKey, 2n ** 32n), secretKey);
        expect(t.solve(point)).toBe(m);
      }),
      { numRuns: 20 },
    );
    for (const m of [2n ** 32n, -(2n ** 32n) + 16383n]) {
      expect(t.solve(he.decryptToPoints(encryptValues(he, [m], secretKey, 2n ** 32n), secretKey))).toBe(m);
    }
  });

  it('chooses a default size and refuses bad options and points', () => {
    expect(createDecryptionTable({ bound: 0n }).babySteps).toBe(256);
    expect(createDecryptionTable({ bound: 0n }).solve(new Uint8Array(32))).toBe(0n);
    for (const opts of [
      { bound: -1n },
      { bound: 2n ** 62n + 1n },
      { bound: 5 as unknown as bigint },
      { bound: 5n, babySteps: 0 },
      { bound: 5n, babySteps: 2.5 },
      { bound: 5n, babySteps: 2 ** 24 + 1 },
    ]) {
      expect(() => createDecryptionTable(opts)).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    }
    const t = createDecryptionTable({ bound: 5n, babySteps: 4 });
    expect(() => t.solve(new Uint8Array(32).fill(0xff))).toThrow(expect.objectContaining({ code: 'POINT_INVALID' }));
    expect(() => t.solveAll(new Uint8Array(33))).toThrow(expect.objectContaining({ code: 'PACKED_LENGTH_INVALID' }));
  });
});

describe('bounds and plaintexts', () => {
  it('sumBound is valueBound x maxRows + noiseBound, capped at 2^62', () => {
    expect(sumBound({ valueBound: 1_000_000n, maxRows: 100_000, noiseBound: 10_000n })).toBe(100_000_010_000n);
    expect(sumBound({ valueBound: 7n, maxRows: 0 })).toBe(0n);
    for (const opts of [
      { valueBound: -1n, maxRows: 1 },
      { valueBound: 1n, maxRows: -1 },
      { valueBound: 1n, maxRows: 1.5 },
      { valueBound: 1n, maxRows: 2 ** 32 + 1 },
      { valueBound: 1n, maxRows: 1, noiseBound: -1n },
      { valueBound: 2n ** 40n, maxRows: 2 ** 23 },
    ]) {
      expect(() => sumBound(opts)).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    }
  });

  it('encodePlaintexts takes integers within the bound only', () => {
    expect(encodePlaintexts([0, 5n, -5], 5n)).toHaveLength(96);
    expect(encodePlaintexts([-1n], 1n)[0]).toBe(0xec); // ℓ - 1 = ...edd3f55c1a631258d69cf7a2def9de14 + ..., low byte 0xec
    for (const v of [6n, -6n, 6, 1.5, Number.NaN, 2 ** 53, '1' as unknown as bigint]) {
      expect(() => encodePlaintexts([v], 5n)).toThrow(expect.objectContaining({ code: 'PLAINTEXT_OUT_OF_RANGE' }));
    }
    expect(() => encodePlaintexts([1n], -1n)).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    expect(() => encryptValues(nobleHomomorphic, [2000n], generateKeyPair().secretKey, VALUE_BOUND)).toThrow(
      expect.objectContaining({ code: 'PLAINTEXT_OUT_OF_RANGE' }),
    );
  });
});

describe('decryption table index', () => {
  it('round-trips through bytes; a corrupt index misses but never answers wrong', () => {
    const he = nobleHomomorphic;
    const { secretKey } = generateKeyPair();
    const bound = 5000n;
    const built = createDecryptionTable({ bound, babySteps: 40 });
    const index = built.exportIndex();
    expect(index).toHaveLength(built.bytes);
    const loaded = createDecryptionTable({ bound, babySteps: 40, index });
    expect(loaded.exportIndex()).toEqual(index);
    const values = [0n, 1n, -1n, 39n, 40n, -4999n, 5000n, 1234n];
    const points = he.decryptToPoints(encryptValues(he, values, secretKey, bound), secretKey);
    expect(loaded.solveAll(points)).toEqual(values);
    // Keys scrambled: every lookup misses or hits a wrong candidate, which verification refuses.
    const corrupt = index.slice();
    for (let k = 0; k < corrupt.length / 2; k++) corrupt[k] = corrupt[k]! ^ 0x5a;
    const bad = createDecryptionTable({ bound, babySteps: 40, index: corrupt });
    for (let i = 0; i < values.length; i++) {
      let answer: bigint | undefined;
      try {
        answer = bad.solve(points.subarray(32 * i, 32 * i + 32));
      } catch (e) {
        expect(e).toMatchObject({ code: 'SUM_OUT_OF_RANGE' });
      }
      if (answer !== undefined) expect(answer).toBe(values[i]);
    }
    const full = new Uint8Array(index.length);
    new DataView(full.buffer).setUint32(index.length / 2, 1, true);
    for (const wrong of [index.subarray(8), full, new Uint8Array(index.length).fill(0xff)]) {
      expect(() => createDecryptionTable({ bound, babySteps: 40, index: wrong })).toThrow(
        expect.objectContaining({ code: 'OPTIONS_INVALID' }),
      );
    }
  });
});
