/**
 * The discrete Laplace (two-sided geometric) distribution, sampled exactly.
 *
 * Why not `x + Laplace(b)` in floating point: Mironov ("On Significance of the
 * Least Significant Bits for Differential Privacy", CCS 2012) showed that the
 * textbook sampler, -b·sign(u)·ln(1-2|u|) on doubles, leaves holes and uneven
 * spacing in its output that reveal the input it was added to, and broke the
 * privacy of real libraries that way. Here every step is integer arithmetic on
 * uniform bytes, following Canonne, Kamath & Steinke, "The Discrete Gaussian for
 * Differential Privacy" (NeurIPS 2020), Algorithms 1 and 2; the output
 * distribution is exactly the one claimed, with no rounding anywhere.
 * @module
 */
import { PsiError } from '../errors.js';
import { rationalToNumber, toRational, type Epsilon, type Rational } from './epsilon.js';
import { bernoulli, cryptoSource, uniformBelow, type ByteSource } from '../random/source.js';

/**
 * Bernoulli(exp(-γ)) for a rational γ = num/den >= 0, without computing exp
 * (CKS 2020, Algorithm 1). For γ <= 1: draw A_k ~ Bernoulli(γ/k) for k = 1, 2, ...
 * until one is 0; the number of draws K is odd with probability exactly
 * exp(-γ). For γ > 1: exp(-γ) = exp(-1)^floor(γ) · exp(-(γ - floor(γ))).
 *
 * @example
 * ```ts
 * bernoulliExp(1n, 2n, cryptoSource); // true with probability e^-0.5 ≈ 0.607
 * ```
 */
export function bernoulliExp(num: bigint, den: bigint, random: ByteSource): boolean {
  if (num < 0n || den < 1n) throw new PsiError('POLICY_INVALID', `bernoulliExp: need gamma >= 0, got ${num}/${den}`);
  if (num <= den) {
    let k = 1n;
    while (bernoulli(num, den * k, random)) k++;
    return k % 2n === 1n;
  }
  for (let i = num / den; i > 0n; i--) {
    if (!bernoulliExp(1n, 1n, random)) return false;
  }
  return bernoulliExp(num % den, den, random);
}

/**
 * One draw of the discrete Laplace with scale t/s, i.e. P(z) ∝ exp(-|z|·s/t) for
 * every integer z (CKS 2020, Algorithm 2), for positive integers s and t.
 *
 * A geometric X with P(X = x) ∝ exp(-x/t) is built as U + t·V, where U is
 * uniform in [0, t) kept with probability exp(-U/t) and V counts successes of
 * Bernoulli(exp(-1)); then Y = floor(X/s) is geometric with ratio exp(-s/t); a
 * fair sign makes it two-sided, and "-0" is rejected so that 0 is not counted
 * twice.
 *
 * @example
 * ```ts
 * discreteLaplace(1n, 4n, cryptoSource); // scale 4: epsilon 0.25 for sensitivity 1
 * ```
 */
export function discreteLaplace(s: bigint, t: bigint, random: ByteSource): bigint {
  if (s < 1n || t < 1n) throw new PsiError('POLICY_INVALID', `discreteLaplace: need s, t >= 1, got ${s}, ${t}`);
  for (;;) {
    const u = uniformBelow(t, random);
    if (!bernoulliExp(u, t, random)) continue;
    let v = 0n;
    while (bernoulliExp(1n, 1n, random)) v++;
    const y = (u + t * v) / s;
    const negative = bernoulli(1n, 2n, random);
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/**
 * The parameters of an ε-differentially-private release: adding or removing
 * one person changes the true value by at most `sensitivity` (1 for a count;
 * the per-person clamp bound for a sum), and the noise has scale
 * sensitivity/epsilon.
 *
 * @example
 * ```ts
 * const params: NoiseParams = { epsilon: 0.25, sensitivity: 1 };
 * ```
 */
export interface NoiseParams {
  readonly epsilon: Epsilon;
  /** A positive safe integer (default 1). Sums take values in integer units, e.g. cents. */
  readonly sensitivity?: number;
}

/**
 * The scale sensitivity/epsilon as an exact fraction t/s, the integer form the
 * sampler needs: epsilon = num/den gives t = sensitivity·den, s = num.
 *
 * @example
 * ```ts
 * noiseScale({ epsilon: 0.25 });                  // { num: 4n, den: 1n }
 * noiseScale({ epsilon: 0.5, sensitivity: 100 }); // { num: 200n, den: 1n }
 * ```
 */
export function noiseScale(params: NoiseParams): Rational {
  const eps = toRational(params.epsilon);
  const sensitivity = params.sensitivity ?? 1;
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1) {
    throw new PsiError('POLICY_INVALID', `sensitivity must be a positive integer, got ${String(sensitivity)}`);
  }
  return toRational({ numerator: BigInt(sensitivity) * eps.den, denominator: eps.num }, 'scale');
}

/**
 * Integer noise for an ε-DP release: one discrete Laplace draw with scale
 * sensitivity/epsilon, so P(k) ∝ exp(-|k|·epsilon/sensitivity). Exact: integers
 * only, from `random` (default: the CSPRNG).
 *
 * @example
 * ```ts
 * const noisy = count + sampleNoise({ epsilon: 0.25 });
 * const same = sampleNoise({ epsilon: 0.25 }, keyedSource(key, [transcript]));
 * ```
 */
export function sampleNoise(params: NoiseParams, random: ByteSource = cryptoSource): number {
  const scale = noiseScale(params);
  const z = discreteLaplace(scale.den, scale.num, random);
  // |z| beyond 2^53 has probability about exp(-2^53/scale): never, but do not round.
  if (z > BigInt(Number.MAX_SAFE_INTEGER) || z < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new PsiError('POLICY_INVALID', 'noise beyond the safe integer range; the scale is too large');
  }
  return Number(z);
}

/**
 * P(Z = k) for the discrete Laplace with the given scale b:
 * (1 - α)/(1 + α) · α^|k| with α = exp(-1/b). Floating point, for tests and
 * reports only.
 *
 * @example
 * ```ts
 * laplacePmf(0, 4); // ≈ 0.1244
 * ```
 */
export function laplacePmf(k: number, scale: number): number {
  const alpha = Math.exp(-1 / scale);
  return ((1 - alpha) / (1 + alpha)) * alpha ** Math.abs(k);
}

/**
 * The smallest integer q with P(|Z| <= q) >= level for discrete Laplace noise
 * of scale b: P(|Z| > q) = 2α^(q+1)/(1 + α). So [x - q, x + q] holds the true
 * value of a noised x with probability at least `level`. Computed in floating
 * point (reporting only); the boundary case cannot be an exact tie, since α is
 * transcendental, and the answer is checked on both sides of the closed form.
 *
 * @example
 * ```ts
 * noiseQuantile(4);   // 12: 95% of draws at epsilon 0.25 lie in [-12, 12]
 * noiseQuantile(2);   // 6
 * ```
 */
export function noiseQuantile(scale: number | Rational, level = 0.95): number {
  const b = typeof scale === 'number' ? scale : rationalToNumber(scale);
  if (!(b > 0) || !Number.isFinite(b) || !(level > 0 && level < 1)) {
    throw new PsiError('POLICY_INVALID', `noiseQuantile: need scale > 0 and 0 < level < 1, got ${b}, ${level}`);
  }
  const alpha = Math.exp(-1 / b);
  const tail = (q: number): number => (2 * alpha ** (q + 1)) / (1 + alpha);
  let q = Math.max(0, Math.ceil(Math.log(((1 - level) * (1 + alpha)) / 2) / Math.log(alpha)) - 1);
  while (q > 0 && tail(q - 1) <= 1 - level) q--;
  while (tail(q) > 1 - level) q++;
  return q;
}
