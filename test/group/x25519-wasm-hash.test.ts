import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { numberToBytesLE } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandMessages } from '../../src/group/hash.js';
import { P } from '../../src/group/x25519/constants.js';
import { HASH_TO_U_WASM_BASE64 } from '../../src/group/x25519/hash-to-u-wasm.js';
import { edwardsToMontgomery } from '../../src/group/x25519/montgomery-u.js';
import { x25519NobleBackend as noble } from '../../src/group/x25519/noble.js';
import { loadWasmHashToU } from '../../src/group/x25519/wasm-hash.js';
import { X25519_HASH_DST } from '../../src/protocol/version.js';

const hashToU = await loadWasmHashToU();
const native = createRequire(import.meta.url)('sodium-native') as {
  crypto_core_ed25519_from_uniform(p: Uint8Array, r: Uint8Array): void;
  crypto_core_ed25519_add(r: Uint8Array, p: Uint8Array, q: Uint8Array): void;
};

/** The construction on libsodium's own functions: from_uniform twice, add, then u = (1 + y)/(1 - y). */
function libsodiumHash(uniform: Uint8Array): Uint8Array {
  const n = uniform.length / 64;
  const points = new Uint8Array(n * 32);
  const left = new Uint8Array(32);
  const right = new Uint8Array(32);
  for (let i = 0; i < n; i++) {
    native.crypto_core_ed25519_from_uniform(left, uniform.subarray(i * 64, i * 64 + 32));
    native.crypto_core_ed25519_from_uniform(right, uniform.subarray(i * 64 + 32, i * 64 + 64));
    native.crypto_core_ed25519_add(points.subarray(i * 32, i * 32 + 32), left, right);
  }
  return edwardsToMontgomery(points);
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** 64 uniform bytes whose halves carry the field elements t0, t1 (maybe >= p) and sign bits s0, s1. */
function halves(t0: bigint, s0: number, t1: bigint, s1: number): Uint8Array {
  const out = new Uint8Array(64);
  out.set(numberToBytesLE(t0, 32), 0);
  out.set(numberToBytesLE(t1, 32), 32);
  out[31] = out[31]! | (s0 << 7);
  out[63] = out[63]! | (s1 << 7);
  return out;
}

describe('the batched WebAssembly hash to group equals the noble reference', () => {
  it('on random buffers of 0 to 600 items (batches of 256, the last one partial)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer(), (n, seed) => {
        const uniform = new Uint8Array(n * 64);
        for (let i = 0; i < uniform.length; i++) uniform[i] = (Math.imul(seed ^ i, 2654435761) >>> 13) & 0xff;
        expect(hex(hashToU(uniform))).toBe(hex(noble.fromUniform(uniform)));
      }),
      { numRuns: 12 },
    );
  });

  it('equals libsodium (sodium-native from_uniform x 2 + add) on random buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 * 300 }), (bytes) => {
        const uniform = bytes.subarray(0, bytes.length - (bytes.length % 64));
        expect(hex(hashToU(uniform))).toBe(hex(libsodiumHash(uniform)));
      }),
      { numRuns: 100 },
    );
  });

  it('on random 64-byte strings, one by one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (u) => {
        expect(hex(hashToU(u))).toBe(hex(noble.fromUniform(u)));
      }),
      { numRuns: 300 },
    );
  });

  it('on hashed identifiers under the protocol DST', () => {
    const uniform = expandMessages(
      Array.from({ length: 300 }, (_, i) => `user.${i}@example.com`),
      X25519_HASH_DST,
    );
    expect(hex(hashToU(uniform))).toBe(hex(noble.fromUniform(uniform)));
  });

  it('on t = 0 (u = 0, the identity) in either half, field elements >= p and 2^255 - 1', () => {
    const cases: Uint8Array[] = [];
    for (const s0 of [0, 1])
      for (const s1 of [0, 1]) {
        cases.push(halves(0n, s0, 0n, s1), halves(0n, s0, 12345n, s1), halves(P - 1n, s0, 0n, s1));
        for (const d of [0n, 1n, 18n]) cases.push(halves(P + d, s0, d + 7n, s1));
        cases.push(halves(2n ** 255n - 1n, s0, 1n, s1));
      }
    const packed = new Uint8Array(cases.length * 64);
    cases.forEach((c, i) => packed.set(c, i * 64));
    const out = hashToU(packed);
    expect(hex(out)).toBe(hex(noble.fromUniform(packed)));
    expect(hex(out)).toBe(hex(libsodiumHash(packed)));
    expect(hex(out.subarray(0, 32))).toBe('00'.repeat(32)); // identity + identity
  });

  it('on the point plus its own negation (the identity sum, u = 0) inside a batch', () => {
    // F(r) with the sign bit flipped is -F(r): the sum is the identity.
    const r = halves(987654321n, 0, 987654321n, 1);
    const packed = new Uint8Array(3 * 64);
    packed.set(halves(5n, 1, 6n, 0), 0);
    packed.set(r, 64);
    packed.set(halves(7n, 0, 8n, 1), 128);
    const out = hashToU(packed);
    expect(hex(out.subarray(32, 64))).toBe('00'.repeat(32));
    expect(hex(out)).toBe(hex(noble.fromUniform(packed)));
  });

  it('refuses a ragged buffer like every backend', () => {
    expect(() => hashToU(new Uint8Array(65))).toThrow(expect.objectContaining({ code: 'PACKED_LENGTH_INVALID' }));
  });
});

describe('the embedded module', () => {
  it('is the committed build of wasm/x25519-hash/hash_to_u.c', () => {
    const file = readFileSync(new URL('../../wasm/x25519-hash/hash_to_u.wasm', import.meta.url));
    const embedded = Buffer.from(HASH_TO_U_WASM_BASE64, 'base64');
    expect(createHash('sha256').update(embedded).digest('hex')).toBe(createHash('sha256').update(file).digest('hex'));
  });
});
