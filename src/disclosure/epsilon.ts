import { PsiError } from '../errors.js';

/**
 * A privacy parameter as callers write it: a decimal number (`0.25`, read as
 * the decimal it prints as, so `0.1` is exactly 1/10) or an exact fraction
 * (`{ numerator: 1, denominator: 3 }`).
 *
 * @example
 * ```ts
 * const a: Epsilon = 0.25;
 * const b: Epsilon = { numerator: 1, denominator: 3 };
 * ```
 */
export type Epsilon = number | { readonly numerator: number | bigint; readonly denominator: number | bigint };

/**
 * A positive rational in lowest terms. Sampling and budget arithmetic use it so
 * that nothing depends on binary floating point.
 *
 * @example
 * ```ts
 * const quarter: Rational = { num: 1n, den: 4n };
 * ```
 */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** One epsilon is a million micro-units: the ledger's integer unit. */
export const MICROS_PER_UNIT = 1_000_000;
/** Fractions with larger terms are refused: nobody means them, and they slow sampling. */
const MAX_TERM = 1n << 64n;

/**
 * Reads an {@link Epsilon} as an exact positive rational. A number is taken at
 * its shortest decimal spelling (`String(x)`), the value its writer meant.
 *
 * @example
 * ```ts
 * toRational(0.1);                                // { num: 1n, den: 10n }
 * toRational({ numerator: 2, denominator: 6 });   // { num: 1n, den: 3n }
 * ```
 */
export function toRational(value: Epsilon, name = 'epsilon'): Rational {
  let num: bigint;
  let den: bigint;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw invalid(name, value);
    const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
    if (m === null) throw invalid(name, value);
    const frac = m[2] ?? '';
    const exp = Number(m[3] ?? '0') - frac.length;
    num = BigInt(m[1]! + frac) * (exp > 0 ? 10n ** BigInt(exp) : 1n);
    den = exp < 0 ? 10n ** BigInt(-exp) : 1n;
  } else if (typeof value === 'object' && value !== null) {
    num = asInteger(value.numerator, name);
    den = asInteger(value.denominator, name);
  } else {
    throw invalid(name, value);
  }
  if (num <= 0n || den <= 0n) throw invalid(name, value);
  const g = gcd(num, den);
  num /= g;
  den /= g;
  if (num >= MAX_TERM || den >= MAX_TERM) throw invalid(name, value);
  return { num, den };
}

/**
 * A rational in micro-units, rounded `'up'` (what a release costs: never charge
 * less than was spent) or `'down'` (a budget: never allow more than granted).
 *
 * @example
 * ```ts
 * toMicros({ num: 1n, den: 3n }, 'up');   // 333334
 * toMicros({ num: 1n, den: 3n }, 'down'); // 333333
 * ```
 */
export function toMicros(r: Rational, round: 'up' | 'down'): number {
  const scaled = r.num * BigInt(MICROS_PER_UNIT);
  const micros = round === 'up' ? (scaled + r.den - 1n) / r.den : scaled / r.den;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new PsiError('POLICY_INVALID', 'epsilon is too large');
  return Number(micros);
}

/**
 * The nearest JS number, for display and for the reporting-only arithmetic
 * (intervals); never used to sample.
 *
 * @example
 * ```ts
 * rationalToNumber({ num: 1n, den: 4n }); // 0.25
 * ```
 */
export function rationalToNumber(r: Rational): number {
  return Number(r.num) / Number(r.den);
}

/**
 * How a rational reads in notes: a decimal when it has one (`0.25`), else a
 * fraction (`1/3`).
 *
 * @example
 * ```ts
 * formatRational({ num: 1n, den: 4n }); // "0.25"
 * formatRational({ num: 1n, den: 3n }); // "1/3"
 * ```
 */
export function formatRational(r: Rational): string {
  // A terminating decimal exists iff den divides some 10^k; den < 2^64 needs k <= 64.
  for (let k = 0, p = 1n; k <= 64; k++, p *= 10n) {
    if (p % r.den !== 0n) continue;
    const digits = ((r.num * p) / r.den).toString().padStart(k + 1, '0');
    return k === 0 ? digits : `${digits.slice(0, -k)}.${digits.slice(-k)}`;
  }
  return `${r.num}/${r.den}`;
}

function asInteger(v: number | bigint, name: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw invalid(name, v);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function invalid(name: string, value: unknown): PsiError {
  const shown =
    typeof value === 'object' && value !== null
      ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
      : String(value);
  return new PsiError(
    'POLICY_INVALID',
    `${name} must be a positive decimal number or a fraction of positive integers below 2^64, got ${shown}`,
  );
}
