import { createHmacDrbg } from '@noble/curves/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacDrbg, keyedSource } from '../../src/random/drbg.js';

describe('HmacDrbg (SP 800-90A HMAC_DRBG, SHA-256)', () => {
  it('matches NIST CAVP HMAC_DRBG.rsp [SHA-256], no PR, no personalization, COUNT = 0', () => {
    // CAVP procedure: instantiate, generate 1024 bits, generate 1024 bits, compare the second.
    const drbg = new HmacDrbg(
      hexToBytes('ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488'),
      hexToBytes('659ba96c601dc69fc902940805ec0ca8'),
    );
    drbg.generate(128);
    expect(bytesToHex(drbg.generate(128))).toBe(
      'e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89d54fbb978a15b5c443c9ec21036d2460' +
        'b6f73ebad0dc2aba6e624abf07745bc107694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668' +
        '961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8',
    );
  });

  it('agrees with the HMAC-DRBG of @noble/curves on any seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), (seed) => {
        const blocks: Uint8Array[] = [];
        const noble = createHmacDrbg(32, 96, (k: Uint8Array, m: Uint8Array) => hmac(sha256, k, m));
        noble(seed, (bytes: Uint8Array) => (blocks.push(bytes), blocks.length === 2 ? true : undefined));
        const ours = new HmacDrbg(seed);
        expect(concatBytes(ours.generate(96), ours.generate(96))).toEqual(concatBytes(...blocks));
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a short seed and oversized requests', () => {
    expect(() => new HmacDrbg(new Uint8Array(16))).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    expect(() => new HmacDrbg(new Uint8Array(32)).generate(65_537)).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
  });
});

describe('keyedSource', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);

  it('is one fixed stream, however it is read', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1500 }), { maxLength: 8 }), (lengths) => {
        const total = lengths.reduce((a, b) => a + b, 0);
        const whole = keyedSource(key, [utf8ToBytes('ctx')])(total);
        const parts = keyedSource(key, [utf8ToBytes('ctx')]);
        expect(concatBytes(...lengths.map((n) => parts(n)))).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });

  it('is HMAC_DRBG seeded with HMAC-SHA-256(key, tag || count || length-prefixed chunks)', () => {
    const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    const chunks = [utf8ToBytes('token-7'), new Uint8Array([1, 2, 3])];
    const seed = hmac(
      sha256,
      key,
      concatBytes(utf8ToBytes('blindjoin/disclosure/keyed-noise/v1'), u32(2), u32(7), chunks[0]!, u32(3), chunks[1]!),
    );
    expect(keyedSource(key, chunks)(1024)).toEqual(new HmacDrbg(seed).generate(1024));
  });

  it('depends on the key, the context and the chunk boundaries', () => {
    const read = (k: Uint8Array, ctx: Uint8Array[]): string => bytesToHex(keyedSource(k, ctx)(32));
    const base = read(key, [utf8ToBytes('ab'), utf8ToBytes('c')]);
    expect(read(key, [utf8ToBytes('ab'), utf8ToBytes('c')])).toBe(base);
    expect(read(key, [utf8ToBytes('a'), utf8ToBytes('bc')])).not.toBe(base);
    expect(read(key, [utf8ToBytes('abc')])).not.toBe(base);
    expect(read(key, [utf8ToBytes('ab'), utf8ToBytes('c'), new Uint8Array(0)])).not.toBe(base);
    expect(read(new Uint8Array(32), [utf8ToBytes('ab'), utf8ToBytes('c')])).not.toBe(base);
  });

  it('refuses a key that is not 32 bytes, and a context that is not byte arrays', () => {
    expect(() => keyedSource(new Uint8Array(31), [])).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    expect(() => keyedSource(key, ['text' as unknown as Uint8Array])).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
  });
});
