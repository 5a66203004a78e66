import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bernoulli, cryptoSource, uniformBelow, type ByteSource } from '../../src/random/source.js';
import { PsiError } from '../../src/errors.js';

/** A source that replays `bytes` in order and fails when they run out. */
function scripted(bytes: number[]): ByteSource & { used: () => number } {
  let at = 0;
  const source = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new Error('script exhausted');
    const out = Uint8Array.from(bytes.slice(at, at + n));
    at += n;
    return out;
  };
  return Object.assign(source, { used: () => at });
}

describe('uniformBelow: rejection sampling, no modulo bias', () => {
  it('stays in [0, n) for any bound and any bytes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 80n }), fc.uint8Array({ minLength: 4096, maxLength: 4096 }), (n, pool) => {
        let at = 0;
        const source: ByteSource = (k) => {
          const out = pool.slice(at % 4000, (at % 4000) + k);
          at += k;
          return out.length === k ? out : cryptoSource(k);
        };
        const x = uniformBelow(n, source);
        return x >= 0n && x < n;
      }),
    );
  });

  it('maps each accepted byte to one value and every value equally often (n = 1..256)', () => {
    for (let n = 1; n <= 256; n++) {
      const hits = new Array<number>(n).fill(0);
      let rejected = 0;
      for (let b = 0; b < 256; b++) {
        const source = scripted([b, 0]);
        const x = Number(uniformBelow(BigInt(n), source));
        if (n > 1 && source.used() === 2) rejected++;
        else hits[x]!++;
      }
      // Every value is reached by the same number of first bytes: no bias.
      expect(new Set(hits).size).toBe(1);
      // Fewer than half of the byte values are rejected.
      expect(rejected).toBeLessThan(128);
    }
  });

  it('rejects out-of-range values instead of reducing them', () => {
    // n = 5 takes 3 bits: 0b111 = 7 and 0b101 = 5 are rejected, then 0b011 = 3 accepted.
    const source = scripted([0x07, 0xfd, 0x03]);
    expect(uniformBelow(5n, source)).toBe(3n);
    expect(source.used()).toBe(3);
  });

  it('reads big-endian and masks the excess high bits for wide bounds', () => {
    // n = 2^70 + 1 needs 71 bits in 9 bytes; the top byte keeps 7 bits.
    const n = (1n << 70n) + 1n;
    const source = scripted([0xbf, 0, 0, 0, 0, 0, 0, 0, 0x2a]);
    expect(uniformBelow(n, source)).toBe((0x3fn << 64n) + 0x2an);
    expect(uniformBelow(1n << 48n, scripted([1, 2, 3, 4, 5, 6]))).toBe(0x010203040506n);
  });

  it('needs no bytes for n = 1 and refuses n < 1', () => {
    expect(uniformBelow(1n, scripted([]))).toBe(0n);
    expect(() => uniformBelow(0n, cryptoSource)).toThrow(PsiError);
  });

  it('refuses a source that returns the wrong number of bytes', () => {
    expect(() => uniformBelow(1000n, () => new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
  });
});

describe('bernoulli', () => {
  it('is exactly num/den over all single-byte draws', () => {
    // den = 256 uses exactly one byte with no rejection: count the true outcomes.
    for (const num of [0, 1, 77, 128, 256]) {
      let hits = 0;
      for (let b = 0; b < 256; b++) if (bernoulli(BigInt(num), 256n, scripted([b]))) hits++;
      expect(hits).toBe(num);
    }
  });

  it('refuses probabilities outside [0, 1]', () => {
    expect(() => bernoulli(3n, 2n, cryptoSource)).toThrow(PsiError);
    expect(() => bernoulli(-1n, 2n, cryptoSource)).toThrow(PsiError);
  });
});
