/**
 * Display arithmetic for released figures: significant-digit rounding, whole
 * percentages and thousands separators. All of it is post-processing of an
 * already noised value, so it costs no privacy; it only keeps reports from
 * suggesting a precision the noise does not have. Integer arithmetic throughout
 * so the same noised value always displays the same way.
 * @module
 */
import { PsiError } from '../errors.js';

/**
 * Rounds an integer to `digits` significant digits, halves away from zero.
 * Integers with no more digits than that are unchanged.
 *
 * @example
 * ```ts
 * roundSignificant(1537, 2); // 1500
 * roundSignificant(1550, 2); // 1600
 * roundSignificant(97, 2);   // 97
 * ```
 */
export function roundSignificant(n: number, digits: number): number {
  assertSafeInteger(n);
  const a = BigInt(Math.abs(n));
  const length = a.toString().length;
  if (length <= digits) return n;
  const unit = 10n ** BigInt(length - digits);
  const r = Number(((a + unit / 2n) / unit) * unit);
  return n < 0 ? -r : r;
}

/**
 * How far a value rounded to `digits` significant digits can be from the value
 * before rounding (half a unit in its last kept digit; 0 when nothing was
 * rounded away). Computed from the rounded value, which errs wide when
 * rounding carried into a new digit (9,960 → 10,000 says ±500, not ±50).
 *
 * @example
 * ```ts
 * roundingSlack(1500, 2); // 50
 * roundingSlack(97, 2);   // 0
 * ```
 */
export function roundingSlack(rounded: number, digits: number | null): number {
  assertSafeInteger(rounded);
  if (digits === null) return 0;
  const length = Math.abs(rounded).toString().length;
  return length <= digits ? 0 : 10 ** (length - digits) / 2;
}

/**
 * An integer with comma thousands separators, independent of the locale.
 *
 * @example
 * ```ts
 * formatInteger(1500000); // "1,500,000"
 * formatInteger(-1200);   // "-1,200"
 * ```
 */
export function formatInteger(n: number): string {
  assertSafeInteger(n);
  const digits = Math.abs(n).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

/**
 * A released rate of `part` out of `whole`, PAIR-style: whole percent (halves
 * up), above `maxPercent` only as `>N%`, and `<1%` for a non-zero part that
 * rounds to 0%.
 *
 * @example
 * ```ts
 * wholePercent(1500, 10_000, 85); // { percent: 15, text: "15%" }
 * wholePercent(9000, 10_000, 85); // { percent: null, text: ">85%" }
 * ```
 */
export function wholePercent(part: number, whole: number, maxPercent: number): { percent: number | null; text: string } {
  assertSafeInteger(part);
  assertSafeInteger(whole);
  if (whole < 1) throw new PsiError('OPTIONS_INVALID', `a rate needs a positive denominator, got ${whole}`);
  const p = BigInt(Math.max(0, part));
  const w = BigInt(whole);
  if (p * 100n > BigInt(maxPercent) * w) return { percent: null, text: `>${maxPercent}%` };
  const percent = Number((p * 200n + w) / (w * 2n));
  if (percent === 0 && p > 0n) return { percent: 0, text: '<1%' };
  return { percent, text: `${percent}%` };
}

function assertSafeInteger(n: number): void {
  if (!Number.isSafeInteger(n)) throw new PsiError('OPTIONS_INVALID', `expected a safe integer, got ${String(n)}`);
}
