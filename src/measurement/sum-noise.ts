import { toRational, type Epsilon } from '../disclosure/epsilon.js';
import { sampleNoise } from '../disclosure/laplace.js';
import type { ByteSource } from '../random/source.js';
import { PsiError } from '../errors.js';

/**
 * Noise scales the clamp of an encrypted sum's noise lies at. The discrete
 * Laplace tail beyond q scales is 2α^(q+1)/(1 + α) < 2e^-q; at q = 28 that is
 * below 2^-39, the δ the clamp adds to the ε of each encrypted sum.
 */
export const NOISE_TAIL_SCALES = 28n;

/**
 * The clamp of an encrypted sum's noise: ⌈28 · sensitivity / ε⌉. The platform
 * clamps every draw to ±this bound so that the advertiser's decryption table,
 * sized for it, never sees the sum leave its range because of the noise.
 *
 * @example
 * ```ts
 * sumNoiseBound(100_000n, 0.25); // 11200000n
 * ```
 */
export function sumNoiseBound(sensitivity: bigint, epsilon: Epsilon): bigint {
  if (typeof sensitivity !== 'bigint' || sensitivity < 1n) throw new PsiError('OPTIONS_INVALID', 'sensitivity must be a positive bigint');
  const { num, den } = toRational(epsilon);
  return (NOISE_TAIL_SCALES * sensitivity * den + num - 1n) / num;
}

/**
 * One draw of exact discrete Laplace noise of scale sensitivity/ε for an
 * encrypted sum, clamped to ±{@link sumNoiseBound}.
 *
 * @example
 * ```ts
 * const noise = drawSumNoise(100_000n, 0.25, cryptoSource); // e.g. -381243n
 * ```
 */
export function drawSumNoise(sensitivity: bigint, epsilon: Epsilon, random: ByteSource): bigint {
  const bound = sumNoiseBound(sensitivity, epsilon);
  const z = BigInt(sampleNoise({ epsilon, sensitivity: Number(sensitivity) }, random));
  return z > bound ? bound : z < -bound ? -bound : z;
}
