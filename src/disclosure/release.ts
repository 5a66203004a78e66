import { PsiError } from '../errors.js';
import type { Released } from '../wire/figure.js';
import { formatInteger, roundingSlack, roundSignificant, wholePercent } from './display.js';
import { formatRational, rationalToNumber } from './epsilon.js';
import { noiseQuantile, sampleNoise } from './laplace.js';
import { resolvePolicy, type DisclosurePolicy, type ResolvedPolicy } from './policy.js';
import { cryptoSource, type ByteSource } from '../random/source.js';

/**
 * Options of one release.
 *
 * @example
 * ```ts
 * const options: ReleaseOptions = { random: keyedSource(key, [transcript]), denominator: 10_000 };
 * ```
 */
export interface ReleaseOptions {
  /** Randomness for the noise (default: the CSPRNG); {@link keyedSource} for consistent answers. */
  readonly random?: ByteSource | undefined;
  /** The public size the value is a part of (the client's own list size) for a match rate. */
  readonly denominator?: number | undefined;
}

/**
 * Releases an exact integer under a disclosure policy: adds exact discrete
 * Laplace noise of scale sensitivity/epsilon (ε-differentially private for one
 * person's presence), withholds noised values below the threshold as "fewer
 * than k", and rounds for display. The caller must have charged
 * `resolvePolicy(policy).epsilonMicros` to the token's budget beforehand.
 *
 * Counts take the default sensitivity 1; per-column sums take the per-person
 * clamp bound (values clamped to [0, bound] in integer units before summing).
 *
 * @example
 * ```ts
 * release(1537, {}, { denominator: 5000 });
 * // e.g. { value: 1500, note: 'noised with epsilon 0.25, rounded to 2 significant digits',
 * //        epsilon: 0.25, scale: 4, threshold: 100, interval95: [1438, 1562],
 * //        rate: { percent: 30, text: '30%' } }
 * release(42);  // { value: null, note: 'fewer than 100 (noised with epsilon 0.25)', ... }
 * release(123_456, { sensitivity: 50_000, threshold: null }); // a sum of values clamped to 50,000
 * ```
 */
export function release(exact: number, policy: DisclosurePolicy = {}, options: ReleaseOptions = {}): Released {
  const p = resolvePolicy(policy);
  if (!Number.isSafeInteger(exact)) throw new PsiError('OPTIONS_INVALID', 'the exact value must be a safe integer');
  if (p.nonNegative && exact < 0) throw new PsiError('OPTIONS_INVALID', 'a non-negative policy got a negative exact value');
  const noise = sampleNoise(
    { epsilon: { numerator: p.epsilon.num, denominator: p.epsilon.den }, sensitivity: p.sensitivity },
    options.random ?? cryptoSource,
  );
  const noisy = exact + noise;
  if (!Number.isSafeInteger(noisy)) throw new PsiError('OPTIONS_INVALID', 'the noised value left the safe integer range');
  return publish(noisy, p, options.denominator);
}

/**
 * The deterministic second half of {@link release}: threshold, rounding,
 * interval and rate of an already noised value. {@link release} is exactly
 * `releaseNoisy(exact + noise, ...)`, which is why nothing in a
 * {@link Released} can carry the exact value.
 *
 * @example
 * ```ts
 * releaseNoisy(1537).value; // 1500
 * releaseNoisy(99).value;   // null: "fewer than 100"
 * ```
 */
export function releaseNoisy(noisy: number, policy: DisclosurePolicy = {}, denominator?: number): Released {
  return publish(noisy, resolvePolicy(policy), denominator);
}

function publish(noisy: number, p: ResolvedPolicy, denominator: number | undefined): Released {
  if (!Number.isSafeInteger(noisy)) throw new PsiError('OPTIONS_INVALID', 'the noised value must be a safe integer');
  if (denominator !== undefined && (!Number.isSafeInteger(denominator) || denominator < 1)) {
    throw new PsiError('OPTIONS_INVALID', `denominator must be a positive integer, got ${String(denominator)}`);
  }
  const eps = formatRational(p.epsilon);
  const mechanism = `noised with epsilon ${eps}${p.sensitivity === 1 ? '' : ` for sensitivity ${formatInteger(p.sensitivity)}`}`;
  const scale = (p.sensitivity * Number(p.epsilon.den)) / Number(p.epsilon.num);
  const common = { epsilon: rationalToNumber(p.epsilon), scale, threshold: p.threshold };

  if (p.threshold !== null && noisy < p.threshold) {
    const withheld: Released = { value: null, note: `fewer than ${formatInteger(p.threshold)} (${mechanism})`, ...common };
    if (denominator === undefined) return Object.freeze(withheld);
    // noised < k implies the rate is below k/denominator, rounded up to a whole percent.
    const bound = Math.min(100, Math.ceil((100 * p.threshold) / denominator));
    return Object.freeze({ ...withheld, rate: Object.freeze({ percent: null, text: `<${bound}%` }) });
  }

  const clamped = p.nonNegative ? Math.max(0, noisy) : noisy;
  const value = p.significantDigits === null ? clamped : roundSignificant(clamped, p.significantDigits);
  const rounding =
    p.significantDigits === null ? '' : `, rounded to ${p.significantDigits} significant digit${p.significantDigits === 1 ? '' : 's'}`;
  const spread = noiseQuantile(scale, 0.95) + roundingSlack(value, p.significantDigits);
  const lo = p.nonNegative ? Math.max(0, value - spread) : value - spread;
  const out: Released = {
    value,
    note: `${mechanism}${rounding}`,
    ...common,
    interval95: Object.freeze([lo, value + spread] as const),
  };
  if (denominator === undefined) return Object.freeze(out);
  return Object.freeze({ ...out, rate: Object.freeze(wholePercent(value, denominator, p.maxRatePercent)) });
}

/**
 * The released figure in words, for human output: "about 1,500" or "fewer than
 * 100". Never "exactly": every released value carries noise.
 *
 * @example
 * ```ts
 * describeReleased(releaseNoisy(1537)); // "about 1,500"
 * describeReleased(releaseNoisy(42));   // "fewer than 100"
 * ```
 */
export function describeReleased(r: Pick<Released, 'value' | 'threshold'>): string {
  if (r.value === null) return r.threshold === null ? 'withheld' : `fewer than ${formatInteger(r.threshold)}`;
  return `about ${formatInteger(r.value)}`;
}
