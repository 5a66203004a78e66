import { utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  describeReleased,
  formatInteger,
  release,
  releaseNoisy,
  resolvePolicy,
  roundSignificant,
  sampleNoise,
  wholePercent,
  type DisclosurePolicy,
} from '../../src/disclosure/index.js';
import { keyedSource } from '../../src/random/drbg.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const policies = fc.record(
  {
    epsilon: fc.constantFrom<DisclosurePolicy['epsilon']>(0.1, 0.25, 0.5, 1, { numerator: 1, denominator: 3 }),
    sensitivity: fc.integer({ min: 1, max: 1000 }),
    threshold: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
    significantDigits: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
    nonNegative: fc.boolean(),
  },
  { requiredKeys: [] },
);
const keys = fc.uint8Array({ minLength: 32, maxLength: 32 });
const contexts = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 });

describe('release: what leaves is a function of the noised value only', () => {
  it('is exactly releaseNoisy(exact + noise) for the same randomness', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        policies,
        keys,
        contexts,
        fc.option(fc.integer({ min: 1, max: 1e12 })),
        (exact, policy, key, ctx, denominator) => {
          const d = denominator ?? undefined;
          const noise = sampleNoise({ epsilon: policy.epsilon ?? 0.25, sensitivity: policy.sensitivity ?? 1 }, keyedSource(key, ctx));
          const released = release(exact, policy, { random: keyedSource(key, ctx), denominator: d });
          expect(released).toEqual(releaseNoisy(exact + noise, policy, d));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cannot tell two exact values apart when their noised values agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 1e9 }), keys, contexts, contexts, (a, key, ctx1, ctx2) => {
        const z1 = sampleNoise({ epsilon: 0.25 }, keyedSource(key, ctx1));
        const z2 = sampleNoise({ epsilon: 0.25 }, keyedSource(key, ctx2));
        const b = a + z1 - z2; // a + z1 = b + z2
        const fromA = release(a, {}, { random: keyedSource(key, ctx1) });
        const fromB = release(b, {}, { random: keyedSource(key, ctx2) });
        expect(JSON.stringify(fromA)).toBe(JSON.stringify(fromB));
      }),
      { numRuns: 200 },
    );
  });

  it('holds only the released fields', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        policies,
        fc.option(fc.integer({ min: 1, max: 1e9 }), { nil: undefined }),
        (exact, policy, denominator) => {
          const r = release(exact, policy, { denominator });
          const expected = ['value', 'note', 'epsilon', 'scale', 'threshold'];
          if (r.value !== null) expected.push('interval95');
          if (denominator !== undefined) expected.push('rate');
          expect(Object.keys(r).sort()).toEqual(expected.sort());
          expect(Object.isFrozen(r)).toBe(true);
          expect(typeof r.note).toBe('string');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('differs from the exact value most of the time, even with no threshold or rounding', () => {
    // P(noise = 0) at epsilon 0.25 is (1 - α)/(1 + α) ≈ 0.124 with α = e^-0.25.
    const random = keyedSource(new Uint8Array(32), [utf8ToBytes('leak rate')]);
    let equal = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) if (release(5000, { threshold: null, significantDigits: null }, { random }).value === 5000) equal++;
    expect(equal / n).toBeGreaterThan(0.1);
    expect(equal / n).toBeLessThan(0.15);
  });

  it('never calls Math.random', () => {
    const spy = vi.spyOn(Math, 'random');
    for (let i = 0; i < 200; i++) release(1234, {}, { denominator: 5000 });
    expect(spy).not.toHaveBeenCalled();
  });

  it('gives the identical figure for the same key and context (a repeated session)', () => {
    const key = new Uint8Array(32).fill(7);
    const ctx = [utf8ToBytes('token acme'), utf8ToBytes('transcript hash')];
    const first = release(123_456, {}, { random: keyedSource(key, ctx) });
    const again = release(123_456, {}, { random: keyedSource(key, ctx) });
    expect(again).toEqual(first);
  });
});

describe('releaseNoisy: threshold, rounding, interval, rate', () => {
  it('rounds to 2 significant digits and says so', () => {
    expect(releaseNoisy(1537)).toEqual({
      value: 1500,
      note: 'noised with epsilon 0.25, rounded to 2 significant digits',
      epsilon: 0.25,
      scale: 4,
      threshold: 100,
      interval95: [1438, 1562], // 1500 ± (12 noise + 50 rounding)
    });
  });

  it('withholds noised values below the threshold as "fewer than k"', () => {
    expect(releaseNoisy(99)).toEqual({
      value: null,
      note: 'fewer than 100 (noised with epsilon 0.25)',
      epsilon: 0.25,
      scale: 4,
      threshold: 100,
    });
    expect(releaseNoisy(100).value).toBe(100);
    expect(releaseNoisy(100).interval95).toEqual([83, 117]);
    expect(releaseNoisy(49, { threshold: 50 }).note).toBe('fewer than 50 (noised with epsilon 0.25)');
  });

  it('without a threshold, clamps non-negative values at 0 and keeps signed ones', () => {
    expect(releaseNoisy(-5, { threshold: null })).toMatchObject({ value: 0, interval95: [0, 12] });
    expect(releaseNoisy(-1537, { threshold: null, nonNegative: false })).toMatchObject({ value: -1500, interval95: [-1562, -1438] });
  });

  it('can keep the noised integer', () => {
    expect(releaseNoisy(1537, { significantDigits: null })).toMatchObject({
      value: 1537,
      note: 'noised with epsilon 0.25',
      interval95: [1525, 1549],
    });
    expect(releaseNoisy(1537, { significantDigits: 1 }).note).toBe('noised with epsilon 0.25, rounded to 1 significant digit');
  });

  it('states epsilon exactly and a sum’s sensitivity', () => {
    const r = releaseNoisy(1_234_567, { epsilon: { numerator: 1, denominator: 3 }, sensitivity: 50_000, threshold: null });
    expect(r.note).toBe('noised with epsilon 1/3 for sensitivity 50,000, rounded to 2 significant digits');
    expect(r.scale).toBe(150_000);
    expect(r.value).toBe(1_200_000);
  });

  it('gives PAIR-style whole-percent rates, ">85%" above 85%', () => {
    expect(releaseNoisy(1537, {}, 5000).rate).toEqual({ percent: 30, text: '30%' });
    expect(releaseNoisy(8600, {}, 10_000).rate).toEqual({ percent: null, text: '>85%' });
    expect(releaseNoisy(8500, {}, 10_000).rate).toEqual({ percent: 85, text: '85%' });
    expect(releaseNoisy(99, {}, 1000).rate).toEqual({ percent: null, text: '<10%' });
    expect(releaseNoisy(1500, {}, 1_000_000).rate).toEqual({ percent: 0, text: '<1%' });
    expect(releaseNoisy(9000, { maxRatePercent: 95 }, 10_000).rate).toEqual({ percent: 90, text: '90%' });
  });

  it('rates the displayed value, so the two never disagree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }), (noisy, denominator) => {
        const r = releaseNoisy(noisy, {}, denominator);
        expect(r.rate).toEqual(wholePercent(r.value!, denominator, 85));
      }),
    );
  });

  it('interval95 always contains the noised value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), policies, (noisy, policy) => {
        const r = releaseNoisy(noisy, policy);
        if (r.value === null) return;
        const [lo, hi] = r.interval95!;
        const clamped = (policy.nonNegative ?? true) ? Math.max(0, noisy) : noisy;
        expect(lo).toBeLessThanOrEqual(clamped);
        expect(hi).toBeGreaterThanOrEqual(clamped);
      }),
    );
  });
});

describe('display helpers', () => {
  it('rounds to significant digits, halves away from zero', () => {
    expect(roundSignificant(1537, 2)).toBe(1500);
    expect(roundSignificant(1549, 2)).toBe(1500);
    expect(roundSignificant(1550, 2)).toBe(1600);
    expect(roundSignificant(995, 2)).toBe(1000);
    expect(roundSignificant(97, 2)).toBe(97);
    expect(roundSignificant(-1550, 2)).toBe(-1600);
    expect(roundSignificant(0, 2)).toBe(0);
    expect(roundSignificant(9_007_199_254_740_991, 2)).toBe(9_000_000_000_000_000);
  });

  it('writes human text', () => {
    expect(describeReleased(releaseNoisy(1537))).toBe('about 1,500');
    expect(describeReleased(releaseNoisy(1_530_000))).toBe('about 1,500,000');
    expect(describeReleased(releaseNoisy(42))).toBe('fewer than 100');
    expect(describeReleased(releaseNoisy(42, { threshold: 1000 }))).toBe('fewer than 1,000');
    expect(formatInteger(-1200)).toBe('-1,200');
    expect(formatInteger(999)).toBe('999');
  });
});

describe('resolvePolicy', () => {
  it('fills in the defaults', () => {
    expect(resolvePolicy()).toEqual({
      epsilon: { num: 1n, den: 4n },
      epsilonMicros: 250_000,
      sensitivity: 1,
      threshold: 100,
      significantDigits: 2,
      maxRatePercent: 85,
      nonNegative: true,
    });
  });

  it.each<[string, unknown]>([
    ['a misspelt field', { treshold: 10 }],
    ['threshold 0', { threshold: 0 }],
    ['a fractional threshold', { threshold: 1.5 }],
    ['16 significant digits', { significantDigits: 16 }],
    ['0 significant digits', { significantDigits: 0 }],
    ['epsilon as a string', { epsilon: '0.5' }],
    ['epsilon 0', { epsilon: 0 }],
    ['sensitivity 0', { sensitivity: 0 }],
    ['a rate cap above 100', { maxRatePercent: 101 }],
    ['nonNegative as a string', { nonNegative: 'yes' }],
  ])('refuses %s with POLICY_INVALID', (_what, policy) => {
    expect(() => resolvePolicy(policy as DisclosurePolicy)).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
  });

  it('refuses bad exact values and denominators with OPTIONS_INVALID', () => {
    expect(() => release(1.5)).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    expect(() => release(-1)).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
    expect(() => release(10, {}, { denominator: 0 })).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
  });
});
