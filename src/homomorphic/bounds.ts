import { PsiError } from '../errors.js';

/**
 * What the decryptor knows in advance about a sum: it encrypted every value itself, so it
 * knows their bound and how many rows the platform can add at most (its own row count);
 * the disclosure policy fixes how large the noise may be (the platform clamps it).
 *
 * @example
 * ```ts
 * const opts: SumBoundOptions = { valueBound: 1_000_000n, maxRows: 100_000, noiseBound: 10_000n };
 * ```
 */
export interface SumBoundOptions {
  /** Every encrypted value v satisfies |v| <= valueBound (enforced by encodePlaintexts). */
  valueBound: bigint;
  /** Most ciphertexts added into one sum (repeats counted). */
  maxRows: number;
  /** Largest |noise| the platform may add (clamped noise); default 0. */
  noiseBound?: bigint;
}

/**
 * The bound B on |sum| that a {@link DecryptionTable} must cover:
 * B = valueBound × maxRows + noiseBound.
 *
 * Why this is enough to detect overflow, never wrap: plaintexts live modulo the group
 * order ℓ ≈ 2^252, and B is capped at 2^62. If every input respects its bound, the true
 * integer sum S has |S| <= B and decrypts exactly. If some party breaks the bounds (or the
 * caller under-estimated them), |S| can exceed B, but a sum of at most 2^32 values below
 * 2^62 stays below 2^94 < ℓ - B, so S mod ℓ never lands back in [-B, B]: the search finds
 * nothing and decryption throws `SUM_OUT_OF_RANGE`. Decryption time grows like B / N
 * (N baby steps), which is why B should be tight, not generous.
 *
 * @example
 * ```ts
 * // Purchases in cents below 10^6 (10,000.00), 10^5 rows, noise clamped at 10^4.
 * sumBound({ valueBound: 1_000_000n, maxRows: 100_000, noiseBound: 10_000n }); // 100000010000n (< 2^37)
 * ```
 */
export function sumBound(options: SumBoundOptions): bigint {
  const { valueBound, maxRows, noiseBound = 0n } = options;
  if (typeof valueBound !== 'bigint' || valueBound < 0n) throw new PsiError('OPTIONS_INVALID', 'valueBound must be a non-negative bigint');
  if (!Number.isSafeInteger(maxRows) || maxRows < 0 || maxRows > 2 ** 32) {
    throw new PsiError('OPTIONS_INVALID', 'maxRows must be an integer in [0, 2^32]');
  }
  if (typeof noiseBound !== 'bigint' || noiseBound < 0n) throw new PsiError('OPTIONS_INVALID', 'noiseBound must be a non-negative bigint');
  const bound = valueBound * BigInt(maxRows) + noiseBound;
  if (bound > 2n ** 62n) throw new PsiError('OPTIONS_INVALID', `the sum bound ${bound} exceeds 2^62`);
  return bound;
}
