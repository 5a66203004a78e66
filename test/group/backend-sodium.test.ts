import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { loadRistretto255Backend, ristretto255NobleBackend, type Ristretto255Backend } from '../../src/group/index.js';
import r9496 from '../vectors/rfc9496-ristretto255.json' with { type: 'json' };

const sodium = await loadRistretto255Backend('sodium');
const P = ed25519.Point.Fp.ORDER;
const ORDER = ed25519.Point.Fn.ORDER;

const scalarArb = fc.bigInt({ min: 1n, max: ORDER - 1n }).map((s) => numberToBytesLE(s, 32));
const uniformArb = (max: number) =>
  fc.uint8Array({ minLength: 64, maxLength: 64 * max }).map((u) => u.subarray(0, u.length - (u.length % 64)));

/** What a call returned, or the code and message it threw: the two must match across backends. */
function outcome(fn: () => Uint8Array): { ok: Uint8Array } | { code: string; message: string } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (!(e instanceof PsiError)) throw e;
    return { code: e.code, message: e.message };
  }
}

function same(fn: (b: Ristretto255Backend) => Uint8Array): void {
  expect(outcome(() => fn(sodium))).toEqual(outcome(() => fn(ristretto255NobleBackend)));
}

/** A 32-byte little-endian field element encoding of n (n may exceed p: non-canonical). */
function fieldBytes(n: bigint): Uint8Array {
  return numberToBytesLE(n, 32);
}

describe('sodium backend: byte-identical to noble', () => {
  it('loads, and auto picks it in Node', async () => {
    expect(sodium.name).toBe('sodium');
    expect((await loadRistretto255Backend()).name).toBe('sodium');
    expect((await loadRistretto255Backend('auto')).name).toBe('sodium');
  });

  it('fromUniform and blindUniform agree on random inputs and scalars', () => {
    fc.assert(
      fc.property(uniformArb(6), scalarArb, (uniform, k) => {
        expect(sodium.fromUniform(uniform)).toEqual(ristretto255NobleBackend.fromUniform(uniform));
        expect(sodium.blindUniform(uniform, k)).toEqual(ristretto255NobleBackend.blindUniform(uniform, k));
      }),
      { numRuns: 40 },
    );
  });

  it('multiply agrees on valid elements', () => {
    fc.assert(
      fc.property(uniformArb(6), scalarArb, (uniform, k) => {
        const elements = ristretto255NobleBackend.fromUniform(uniform);
        expect(sodium.multiply(elements, k)).toEqual(ristretto255NobleBackend.multiply(elements, k));
      }),
      { numRuns: 40 },
    );
  });

  it('multiply agrees on random 32-byte strings: same output or same POINT_INVALID', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), scalarArb, (bytes, k) => {
        same((b) => b.multiply(bytes, k));
        if ('code' in outcome(() => ristretto255NobleBackend.multiply(bytes, k))) rejected++;
      }),
      { numRuns: 300 },
    );
    expect(rejected).toBeGreaterThan(0);
  });

  it('rejects non-canonical, negative and identity encodings exactly like noble, naming the index', () => {
    const valid = ristretto255NobleBackend.fromUniform(new Uint8Array(64 * 2).fill(7));
    const odd = (n: bigint) => (n % 2n === 1n ? n : n + 1n);
    const bad = [
      new Uint8Array(32), // identity
      fieldBytes(P), // s = p
      fieldBytes(P + 2n), // s >= p, even
      fieldBytes(2n ** 255n - 2n), // top bit set
      fieldBytes(odd(12345n)), // negative (odd) s
      ...r9496.invalidEncodings.map((hex) => hexToBytes(hex)),
    ];
    for (const element of bad) {
      const packed = new Uint8Array(96);
      packed.set(valid, 0);
      packed.set(element, 64);
      const k = numberToBytesLE(3n, 32);
      same((b) => b.multiply(packed, k));
      expect(() => sodium.multiply(packed, k)).toThrow(/^element 2 /);
    }
  });

  it('canonical field elements >= p and their reduced twins are told apart', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 18n }), scalarArb, (d, k) => {
        same((b) => b.multiply(fieldBytes(P + d), k));
        same((b) => b.multiply(fieldBytes(d), k));
      }),
      { numRuns: 30 },
    );
  });

  it('refuses bad scalars and packed lengths with the same codes', () => {
    const element = ristretto255NobleBackend.fromUniform(new Uint8Array(64));
    for (const k of [new Uint8Array(32), numberToBytesLE(ORDER, 32), new Uint8Array(31), numberToBytesLE(2n ** 256n - 1n, 32)]) {
      same((b) => b.multiply(element, k));
      same((b) => b.blindUniform(new Uint8Array(64), k));
    }
    same((b) => b.multiply(new Uint8Array(33), numberToBytesLE(5n, 32)));
    same((b) => b.fromUniform(new Uint8Array(65)));
  });

  it('handles empty input and batches longer than its scratch area', () => {
    const k = numberToBytesLE(bytesToNumberLE(new Uint8Array(32).fill(9)) % ORDER, 32);
    expect(sodium.blindUniform(new Uint8Array(0), k)).toEqual(new Uint8Array(0));
    const uniform = new Uint8Array(64 * 300).map((_, i) => (i * 31) & 255);
    expect(sodium.blindUniform(uniform, k)).toEqual(ristretto255NobleBackend.blindUniform(uniform, k));
  });
});

describe('loadRistretto255Backend without libsodium', () => {
  it("'sodium' fails with BACKEND_UNAVAILABLE and 'auto' falls back to noble", async () => {
    vi.resetModules();
    vi.doMock('libsodium-wrappers-sumo', () => ({ default: { ready: Promise.reject(new Error('no WebAssembly')) } }));
    try {
      const { loadRistretto255Backend: load } = await import('../../src/group/ristretto255/load.js');
      await expect(load('sodium')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect((await load('auto')).name).toBe('noble');
      await expect(load('nope' as never)).rejects.toMatchObject({ code: 'BACKEND_UNKNOWN' });
    } finally {
      vi.doUnmock('libsodium-wrappers-sumo');
      vi.resetModules();
    }
  });
});

describe("ristretto255's unprefixed names, kept for existing callers", () => {
  it('are the prefixed ones', async () => {
    const primitives = await import('../../src/primitives.js');
    expect(primitives.nobleBackend).toBe(primitives.ristretto255NobleBackend);
    expect(primitives.loadBackend).toBe(primitives.loadRistretto255Backend);
  });
});
