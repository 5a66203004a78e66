import { exactFigure } from '../disclosure/exact.js';
import type { Figure } from '../wire/figure.js';
import { releaseNoisy } from '../disclosure/release.js';
import { PsiError } from '../errors.js';
import type { HomomorphicBackend } from '../homomorphic/backend.js';
import { sumBound } from '../homomorphic/bounds.js';
import { createDecryptionTable } from '../homomorphic/bsgs.js';
import { decryptValues } from '../homomorphic/elgamal.js';
import type { SumsParameters } from '../wire/measure.js';

/**
 * Options of {@link openSums}.
 *
 * @example
 * ```ts
 * const opts: OpenSumsOptions = { names: ['amount'], secretKey, valueBound: 100_000n, maxRows: 10_000 };
 * ```
 */
export interface OpenSumsOptions {
  /** The advertiser's column names, in the order it sent them. */
  names: readonly string[];
  secretKey: Uint8Array;
  valueBound: bigint;
  /** The advertiser's own distinct items: no honest sum adds more rows. */
  maxRows: number;
}

/**
 * Decrypts the platform's encrypted sums and describes each as a figure: under
 * a policy, released from the noised sum with the platform's epsilon and
 * rounding (threshold none: a sum is not a count), else exact. A sum outside
 * `valueBound × maxRows + noiseBound` is `SUM_OUT_OF_RANGE`, never a wrapped value.
 *
 * @example
 * ```ts
 * const { amount } = openSums(he, aggregates.ciphertexts, aggregates.sums!, opts);
 * ```
 */
export function openSums(
  he: HomomorphicBackend,
  ciphertexts: Uint8Array,
  sums: SumsParameters,
  opts: OpenSumsOptions,
): Record<string, Figure> {
  const { names, secretKey, valueBound, maxRows } = opts;
  if (sums.epsilon === null && sums.noiseBound !== 0n) throw new PsiError('PAYLOAD_INVALID', 'exact sums cannot carry noise');
  const table = createDecryptionTable({ bound: sumBound({ valueBound, maxRows, noiseBound: sums.noiseBound }) });
  const values = decryptValues(he, table, ciphertexts, secretKey);
  const out: Record<string, Figure> = {};
  names.forEach((name, i) => {
    const v = Number(values[i]!);
    out[name] =
      sums.epsilon === null
        ? exactFigure(v)
        : releaseNoisy(v, {
            epsilon: sums.epsilon,
            sensitivity: Number(valueBound),
            threshold: null,
            significantDigits: sums.significantDigits,
          });
  });
  return out;
}
