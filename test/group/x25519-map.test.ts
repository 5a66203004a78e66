import { createRequire } from 'node:module';
import { ed25519 } from '@noble/curves/ed25519.js';
import { numberToBytesLE } from '@noble/curves/utils.js';
import { FpLegendre } from '@noble/curves/abstract/modular.js';
import fc from 'fast-check';
import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { A, P } from '../../src/group/x25519/constants.js';
import { fromUniformNoble } from '../../src/group/x25519/elligator.js';
import { edwardsToMontgomery } from '../../src/group/x25519/montgomery-u.js';

const native = createRequire(import.meta.url)('sodium-native') as {
  crypto_core_ed25519_from_uniform(p: Uint8Array, r: Uint8Array): void;
};
await sodium.ready;
const Fp = ed25519.Point.Fp;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The three implementations of crypto_core_ed25519_from_uniform, as hex. */
function allThree(r: Uint8Array): [string, string, string] {
  const n = new Uint8Array(32);
  native.crypto_core_ed25519_from_uniform(n, r);
  return [hex(fromUniformNoble(r).toBytes()), hex(n), hex(sodium.crypto_core_ed25519_from_uniform(r))];
}

function expectSame(r: Uint8Array): void {
  const [noble, nat, wasm] = allThree(r);
  expect(noble).toBe(nat);
  expect(noble).toBe(wasm);
}

/** t as 32 bytes with the sign bit `sign` (t may be >= p: libsodium reduces it). */
function withSign(t: bigint, sign: number): Uint8Array {
  const r = numberToBytesLE(t, 32);
  r[31] = r[31]! | (sign << 7);
  return r;
}

describe('fromUniformNoble reproduces libsodium crypto_core_ed25519_from_uniform', () => {
  it('on random inputs: noble, sodium-native and libsodium WASM agree byte for byte', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), expectSame), { numRuns: 1000 });
  });

  it('on both branches of Elligator 2 with both sign bits', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: P - 1n }), fc.integer({ min: 0, max: 1 }), (t, sign) => {
        const x1 = Fp.neg(Fp.div(A, Fp.add(1n, Fp.mul(2n, Fp.sqr(t)))));
        seen.add(`${FpLegendre(Fp, Fp.mul(x1, Fp.add(Fp.mul(x1, Fp.add(x1, A)), 1n)))}/${sign}`);
        expectSame(withSign(t, sign));
      }),
      { numRuns: 200 },
    );
    expect(seen).toEqual(new Set(['1/0', '1/1', '-1/0', '-1/1']));
  });

  it('on field elements >= p, which libsodium reduces, and their reduced twins', () => {
    for (let d = 0n; d < 19n; d++) {
      for (const sign of [0, 1]) {
        expectSame(withSign(P + d, sign));
        expect(allThree(withSign(P + d, sign))[0]).toBe(allThree(withSign(d, sign))[0]);
      }
    }
  });

  it('on the exceptional input t = 0 (u = 0, the identity); u = -1 is unreachable', () => {
    expect(allThree(new Uint8Array(32))[0]).toBe(hex(ed25519.Point.ZERO.toBytes()));
    expectSame(withSign(0n, 1));
    // t = 0 gives u = 0 because -A is not a square; u = -1 would need 2t^2 = A - 1 or
    // 2t^2 = A/(A-1) - 1, neither of which is a square: it is a twist point.
    expect(FpLegendre(Fp, Fp.neg(A))).toBe(-1);
    for (const t2 of [Fp.div(A - 1n, 2n), Fp.div(Fp.sub(Fp.div(A, A - 1n), 1n), 2n)]) expect(FpLegendre(Fp, t2)).toBe(-1);
    for (const r of [new Uint8Array(32).fill(0xff), new Uint8Array(32).fill(0x7f)]) expectSame(r);
  });
});

describe('edwardsToMontgomery', () => {
  it('equals noble toMontgomery (u = (1 + y) / (1 - y)) on random points, batched', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 8 }), (rs) => {
        const points = rs.map((r) => fromUniformNoble(r).toBytes());
        const packed = new Uint8Array(points.length * 32);
        points.forEach((p, i) => packed.set(p, i * 32));
        const expected = points.map((p) => (ed25519.Point.fromBytes(p).is0() ? new Uint8Array(32) : ed25519.utils.toMontgomery(p)));
        expect(hex(edwardsToMontgomery(packed))).toBe(expected.map(hex).join(''));
      }),
      { numRuns: 100 },
    );
  });

  it('maps the identity to u = 0 without spoiling the batch', () => {
    const g = ed25519.Point.BASE.toBytes();
    const packed = new Uint8Array(96);
    packed.set(g, 0);
    packed.set(ed25519.Point.ZERO.toBytes(), 32);
    packed.set(g, 64);
    const out = edwardsToMontgomery(packed);
    expect(hex(out.subarray(32, 64))).toBe('00'.repeat(32));
    expect(out[0]).toBe(9);
    expect(hex(out.subarray(64))).toBe(hex(out.subarray(0, 32)));
  });
});
