import { describe, expect, it } from 'vitest';
import { formatRational, toMicros, toRational, type Epsilon } from '../../src/disclosure/index.js';

describe('epsilon as an exact rational', () => {
  it.each([
    [0.1, 1n, 10n],
    [0.25, 1n, 4n],
    [0.5, 1n, 2n],
    [2, 2n, 1n],
    [1e-7, 1n, 10_000_000n],
    [1.5e-7, 3n, 20_000_000n],
    [0.3, 3n, 10n],
  ])('reads %d as the decimal it prints as', (value, num, den) => {
    expect(toRational(value)).toEqual({ num, den });
  });

  it('reduces fractions and accepts bigints', () => {
    expect(toRational({ numerator: 2, denominator: 6 })).toEqual({ num: 1n, den: 3n });
    expect(toRational({ numerator: 10n, denominator: 4n })).toEqual({ num: 5n, den: 2n });
  });

  it.each([
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e21,
    '0.5',
    null,
    { numerator: 1, denominator: 0 },
    { numerator: 1.5, denominator: 2 },
    { numerator: -1, denominator: 2 },
  ])('refuses %s with POLICY_INVALID', (value) => {
    expect(() => toRational(value as Epsilon)).toThrow(expect.objectContaining({ code: 'POLICY_INVALID' }));
  });

  it('rounds to micro-units up for charges and down for budgets', () => {
    expect(toMicros({ num: 1n, den: 4n }, 'up')).toBe(250_000);
    expect(toMicros({ num: 1n, den: 3n }, 'up')).toBe(333_334);
    expect(toMicros({ num: 1n, den: 3n }, 'down')).toBe(333_333);
    expect(toMicros({ num: 1n, den: 10_000_000n }, 'up')).toBe(1);
    expect(toMicros({ num: 1n, den: 10_000_000n }, 'down')).toBe(0);
  });

  it('prints decimals when they exist, fractions otherwise', () => {
    expect(formatRational({ num: 1n, den: 4n })).toBe('0.25');
    expect(formatRational({ num: 5n, den: 2n })).toBe('2.5');
    expect(formatRational({ num: 3n, den: 1n })).toBe('3');
    expect(formatRational({ num: 1n, den: 10_000_000n })).toBe('0.0000001');
    expect(formatRational({ num: 1n, den: 3n })).toBe('1/3');
    expect(formatRational(toRational(0.1))).toBe('0.1');
  });
});
