import { PsiError } from '../errors.js';
import { toMicros, toRational, type Epsilon, type Rational } from './epsilon.js';

/**
 * Epsilon spent by one release unless the policy says otherwise. With the
 * default budget this allows 4 releases per token per 30 days; one release
 * moves an observer's odds that a given person is a platform user by at most
 * e^0.25 ≈ 1.28 (50% → at most 56.2%), and its noise stays within ±12 with
 * probability 95%. docs/privacy.md has the arithmetic.
 */
export const DEFAULT_EPSILON = 0.25;
/** Noised figures below this are released as "fewer than 100" (value null). */
export const DEFAULT_THRESHOLD = 100;
/** Released figures are rounded to this many significant digits for display. */
export const DEFAULT_SIGNIFICANT_DIGITS = 2;
/** Match rates above this many percent read ">85%" (IAB Tech Lab PAIR v1). */
export const DEFAULT_MAX_RATE_PERCENT = 85;
/**
 * Total epsilon a token may spend within the window: odds move by at most
 * e^1 ≈ 2.72 over a full budget, so a 50% prior ends at most at 73.1%.
 */
export const DEFAULT_BUDGET = 1;
/** The sliding window over which spent epsilon is summed: 30 days. */
export const DEFAULT_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * How the platform releases a figure computed on the matched set. Every field
 * is optional; see the `DEFAULT_*` constants.
 *
 * @example
 * ```ts
 * const policy: DisclosurePolicy = { epsilon: 0.25, threshold: 100, significantDigits: 2 };
 * const sums: DisclosurePolicy = { epsilon: 0.25, sensitivity: 50_000, threshold: null }; // clamp 500.00 per person, in cents
 * ```
 */
export interface DisclosurePolicy {
  /** Privacy loss of one release (default 0.25). A decimal number or `{ numerator, denominator }`. */
  readonly epsilon?: Epsilon | undefined;
  /**
   * The most one person can change the exact value (default 1: a count). For a
   * sum, the bound each person's value is clamped to, in integer units.
   */
  readonly sensitivity?: number;
  /** Noised values below this are withheld as "fewer than k" (default 100); `null` releases every value. */
  readonly threshold?: number | null;
  /** Significant digits kept for display (default 2); `null` keeps the noised integer. */
  readonly significantDigits?: number | null;
  /** Whole-percent match rates above this read `>N%` (default 85). */
  readonly maxRatePercent?: number;
  /**
   * The exact value is known to be >= 0 (default true: counts, sums of
   * non-negative values): released values and interval bounds are clamped at 0.
   */
  readonly nonNegative?: boolean;
}

/**
 * A {@link DisclosurePolicy} with every default filled in and checked; epsilon
 * is an exact rational and also in ledger micro-units (rounded up: the charge).
 *
 * @example
 * ```ts
 * resolvePolicy().epsilonMicros; // 250000
 * ```
 */
export interface ResolvedPolicy {
  readonly epsilon: Rational;
  readonly epsilonMicros: number;
  readonly sensitivity: number;
  readonly threshold: number | null;
  readonly significantDigits: number | null;
  readonly maxRatePercent: number;
  readonly nonNegative: boolean;
}

const KEYS = new Set(['epsilon', 'sensitivity', 'threshold', 'significantDigits', 'maxRatePercent', 'nonNegative']);

/**
 * Checks a policy and fills in the defaults. Unknown fields are refused, so a
 * misspelt `treshold` cannot silently leave the default in force.
 *
 * @example
 * ```ts
 * resolvePolicy({ epsilon: 0.5 }).threshold; // 100
 * resolvePolicy({ treshold: 10 } as DisclosurePolicy); // throws POLICY_INVALID
 * ```
 */
export function resolvePolicy(policy: DisclosurePolicy = {}): ResolvedPolicy {
  if (typeof policy !== 'object' || policy === null) throw new PsiError('POLICY_INVALID', 'the disclosure policy must be an object');
  for (const key of Object.keys(policy)) {
    if (!KEYS.has(key)) throw new PsiError('POLICY_INVALID', `unknown disclosure policy field '${key}'`);
  }
  const epsilon = toRational(policy.epsilon ?? DEFAULT_EPSILON);
  const sensitivity = policy.sensitivity ?? 1;
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1) {
    throw new PsiError('POLICY_INVALID', `sensitivity must be a positive integer, got ${String(sensitivity)}`);
  }
  const threshold = policy.threshold === undefined ? DEFAULT_THRESHOLD : policy.threshold;
  if (threshold !== null && (!Number.isSafeInteger(threshold) || threshold < 1)) {
    throw new PsiError('POLICY_INVALID', `threshold must be a positive integer or null, got ${String(threshold)}`);
  }
  const significantDigits = policy.significantDigits === undefined ? DEFAULT_SIGNIFICANT_DIGITS : policy.significantDigits;
  if (significantDigits !== null && (!Number.isInteger(significantDigits) || significantDigits < 1 || significantDigits > 15)) {
    throw new PsiError('POLICY_INVALID', `significantDigits must be an integer 1..15 or null, got ${String(significantDigits)}`);
  }
  const maxRatePercent = policy.maxRatePercent ?? DEFAULT_MAX_RATE_PERCENT;
  if (!Number.isInteger(maxRatePercent) || maxRatePercent < 1 || maxRatePercent > 100) {
    throw new PsiError('POLICY_INVALID', `maxRatePercent must be an integer 1..100, got ${String(maxRatePercent)}`);
  }
  const nonNegative = policy.nonNegative ?? true;
  if (typeof nonNegative !== 'boolean') throw new PsiError('POLICY_INVALID', 'nonNegative must be a boolean');
  return { epsilon, epsilonMicros: toMicros(epsilon, 'up'), sensitivity, threshold, significantDigits, maxRatePercent, nonNegative };
}
