import { utf8ToBytes } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  bernoulliExp,
  discreteLaplace,
  laplacePmf,
  noiseQuantile,
  noiseScale,
  sampleNoise,
  type NoiseParams,
} from '../../src/disclosure/index.js';
import { keyedSource } from '../../src/random/drbg.js';
import { cryptoSource, type ByteSource } from '../../src/random/source.js';
import { PsiError } from '../../src/errors.js';
import { binomialZ, chiSquarePValue, chiSquareTest } from './stats.js';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const seeded = (label: string): ByteSource => keyedSource(KEY, [utf8ToBytes(label)]);

function histogram(params: NoiseParams, n: number, random: ByteSource): { counts: Map<number, number>; values: number[] } {
  const counts = new Map<number, number>();
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = sampleNoise(params, random);
    values.push(z);
    counts.set(z, (counts.get(z) ?? 0) + 1);
  }
  return { counts, values };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the chi-square helper', () => {
  it('gives the textbook 5% critical values', () => {
    expect(chiSquarePValue(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquarePValue(18.307038, 10)).toBeCloseTo(0.05, 6);
    expect(chiSquarePValue(124.342113, 100)).toBeCloseTo(0.05, 6);
    expect(chiSquarePValue(29.588298, 10)).toBeCloseTo(0.001, 6);
  });
});

describe('sampleNoise: the discrete Laplace it claims', () => {
  // 200,000 draws at the default epsilon 0.25 (scale 4), from a fixed keyed stream
  // so the outcome is reproducible. Significance level 0.001: a correct sampler
  // fails one seed in a thousand, so the fixed seed is not hand-picked to pass.
  const N = 200_000;
  const { counts, values } = histogram({ epsilon: 0.25 }, N, seeded('goodness of fit, scale 4'));

  it('fits P(k) ∝ exp(-|k|/4) (Pearson chi-square, p > 0.001)', () => {
    const test = chiSquareTest(counts, N, (k) => laplacePmf(k, 4));
    expect(test.bins).toBeGreaterThan(50);
    expect(test.p).toBeGreaterThan(0.001);
  });

  it('and the same test rejects a 10% wrong scale (so it has power)', () => {
    expect(chiSquareTest(counts, N, (k) => laplacePmf(k, 4.4)).p).toBeLessThan(1e-6);
    expect(chiSquareTest(counts, N, (k) => laplacePmf(k, 3.6)).p).toBeLessThan(1e-6);
  });

  it('is symmetric: as many positive as negative draws', () => {
    const positive = values.filter((z) => z > 0).length;
    const negative = values.filter((z) => z < 0).length;
    expect(Math.abs(binomialZ(positive, positive + negative, 0.5))).toBeLessThan(4);
    const mean = values.reduce((a, b) => a + b, 0) / N;
    // sd of one draw is sqrt(2α)/(1-α) ≈ 5.6 at scale 4: the mean is within 4 standard errors of 0.
    expect(Math.abs(mean)).toBeLessThan((4 * 5.7) / Math.sqrt(N));
  });

  it('returns safe integers only', () => {
    expect(values.every((z) => Number.isSafeInteger(z))).toBe(true);
  });

  it('fits a rational epsilon with a sensitivity: epsilon 1/3, sensitivity 2 (scale 6)', () => {
    const n = 50_000;
    const params = { epsilon: { numerator: 1, denominator: 3 }, sensitivity: 2 };
    expect(noiseScale(params)).toEqual({ num: 6n, den: 1n });
    const { counts: c } = histogram(params, n, seeded('goodness of fit, scale 6'));
    expect(chiSquareTest(c, n, (k) => laplacePmf(k, 6)).p).toBeGreaterThan(0.001);
  });

  it('fits a scale below 1: epsilon 2.5 (scale 0.4)', () => {
    const n = 20_000;
    const { counts: c } = histogram({ epsilon: 2.5 }, n, seeded('goodness of fit, scale 0.4'));
    expect(chiSquareTest(c, n, (k) => laplacePmf(k, 0.4)).p).toBeGreaterThan(0.001);
  });
});

describe('sampling never uses Math.random or floating point randomness', () => {
  it('does not call Math.random, with the CSPRNG or the keyed source', () => {
    const spy = vi.spyOn(Math, 'random');
    for (let i = 0; i < 2000; i++) sampleNoise({ epsilon: 0.5 }, cryptoSource);
    for (let i = 0; i < 2000; i++) sampleNoise({ epsilon: 0.5 });
    for (let i = 0; i < 2000; i++) sampleNoise({ epsilon: 0.5 }, seeded('spy'));
    expect(spy).not.toHaveBeenCalled();
  });

  it('draws only from the byte source it is given', () => {
    let requested = 0;
    const inner = seeded('counting');
    const counting: ByteSource = (n) => {
      requested += n;
      return inner(n);
    };
    sampleNoise({ epsilon: 0.25 }, counting);
    expect(requested).toBeGreaterThan(0);
  });
});

describe('keyed noise is consistent', () => {
  it('gives the same draws for the same key and context', () => {
    const a = histogram({ epsilon: 0.25 }, 500, keyedSource(KEY, [utf8ToBytes('session'), utf8ToBytes('42')])).values;
    const b = histogram({ epsilon: 0.25 }, 500, keyedSource(KEY, [utf8ToBytes('session'), utf8ToBytes('42')])).values;
    expect(a).toEqual(b);
  });

  it('gives other draws for another context or another key', () => {
    const base = histogram({ epsilon: 0.25 }, 500, keyedSource(KEY, [utf8ToBytes('session-1')])).values;
    const otherContext = histogram({ epsilon: 0.25 }, 500, keyedSource(KEY, [utf8ToBytes('session-2')])).values;
    const otherKey = histogram({ epsilon: 0.25 }, 500, keyedSource(new Uint8Array(32), [utf8ToBytes('session-1')])).values;
    expect(otherContext).not.toEqual(base);
    expect(otherKey).not.toEqual(base);
  });
});

describe('bernoulliExp (CKS 2020, Algorithm 1)', () => {
  it('is always true for gamma 0', () => {
    const random = seeded('gamma 0');
    for (let i = 0; i < 100; i++) expect(bernoulliExp(0n, 5n, random)).toBe(true);
  });

  it.each([
    [1n, 2n],
    [1n, 1n],
    [5n, 2n],
    [7n, 3n],
  ])('is true with probability exp(-%i/%i)', (num, den) => {
    const random = seeded(`bernoulliExp ${num}/${den}`);
    const n = 40_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (bernoulliExp(num, den, random)) hits++;
    expect(Math.abs(binomialZ(hits, n, Math.exp(-Number(num) / Number(den))))).toBeLessThan(4);
  });
});

describe('discreteLaplace (CKS 2020, Algorithm 2)', () => {
  it('refuses non-positive parameters', () => {
    expect(() => discreteLaplace(0n, 1n, cryptoSource)).toThrow(PsiError);
    expect(() => discreteLaplace(1n, 0n, cryptoSource)).toThrow(PsiError);
  });

  it('refuses bad noise parameters with POLICY_INVALID', () => {
    for (const params of [
      { epsilon: 0 },
      { epsilon: -1 },
      { epsilon: Number.NaN },
      { epsilon: 0.5, sensitivity: 0 },
      { epsilon: 0.5, sensitivity: 1.5 },
    ]) {
      expect(() => sampleNoise(params)).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
    }
  });
});

describe('noiseQuantile: the exact 95% half-width', () => {
  const tail = (q: number, b: number): number => {
    const a = Math.exp(-1 / b);
    return (2 * a ** (q + 1)) / (1 + a);
  };

  it.each([0.25, 0.4, 1, 2, 4, 6, 10, 20, 1000])('is the smallest q with P(|Z| > q) <= 5%% at scale %d', (b) => {
    const q = noiseQuantile(b);
    expect(tail(q, b)).toBeLessThanOrEqual(0.05);
    if (q > 0) expect(tail(q - 1, b)).toBeGreaterThan(0.05);
  });

  it('matches the documented defaults', () => {
    expect(noiseQuantile(4)).toBe(12); // epsilon 0.25
    expect(noiseQuantile(2)).toBe(6); // epsilon 0.5
    expect(noiseQuantile(10)).toBe(30); // epsilon 0.1
  });

  it('covers at least 95% of draws', () => {
    const random = seeded('coverage');
    const n = 20_000;
    let inside = 0;
    for (let i = 0; i < n; i++) if (Math.abs(sampleNoise({ epsilon: 0.25 }, random)) <= 12) inside++;
    expect(inside / n).toBeGreaterThan(0.945);
  });
});
