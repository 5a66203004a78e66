import { PsiError } from '../errors.js';

/**
 * Checks one value column given per item (or per row): non-negative safe
 * integers in the column's unit (cents, impressions). `MEASURE_VALUE_INVALID` names
 * the first bad entry; a value above the bound is not an error, it is clamped.
 *
 * @example
 * ```ts
 * checkValueColumn([1999, 0, 250], 'amount', 3); // ok
 * checkValueColumn([1.5], 'amount', 1);          // throws MEASURE_VALUE_INVALID
 * ```
 */
export function checkValueColumn(values: unknown, name: string, length: number): readonly number[] {
  if (!Array.isArray(values) || values.length !== length) {
    throw new PsiError('MEASURE_VALUE_INVALID', `values of column ${name} must be an array of ${length} entries, one per item`);
  }
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new PsiError('MEASURE_VALUE_INVALID', `value ${i} of column ${name} is not a non-negative integer: ${String(v)}`);
    }
  });
  return values as number[];
}

/**
 * An advertiser column's clamp per customer when none is given: 10^6, e.g.
 * $10,000 in cents. It is the sums' sensitivity (noise scale bound/epsilon) and
 * sets the range the advertiser decrypts, so a platform's policy may want less.
 *
 * @example
 * ```ts
 * new AdvertiserParty(opts, { values: { amount } }); // valueBound DEFAULT_VALUE_BOUND
 * ```
 */
export const DEFAULT_VALUE_BOUND = 1_000_000;

/**
 * A bound from the API or the CLI: a positive safe integer.
 *
 * @example
 * ```ts
 * checkValueBound(100_000, 'valueBound'); // 100000n
 * ```
 */
export function checkValueBound(bound: unknown, what: string, max: bigint): bigint {
  const b = typeof bound === 'bigint' ? bound : typeof bound === 'number' && Number.isSafeInteger(bound) ? BigInt(bound) : -1n;
  if (b < 1n || b > max) throw new PsiError('OPTIONS_INVALID', `${what} must be a positive integer at most ${max}, got ${String(bound)}`);
  return b;
}

/**
 * Values per distinct item (or row) in sending order: position p carries distinct
 * item `order[p]`, whose value is the sum over the given items that are that
 * distinct item (`groupOf`), clamped to `bound`. One person's value then
 * changes a sum by at most `bound`, the sensitivity the noise is scaled to.
 *
 * @example
 * ```ts
 * // items a, b, a with values 5, 7, 9; sending order [b, a]
 * valuesInSendingOrder([5, 7, 9], Uint32Array.of(0, 1, 0), Uint32Array.of(1, 0), 10n); // [7n, 10n]
 * ```
 */
export function valuesInSendingOrder(
  values: readonly number[],
  groupOf: Uint32Array | Int32Array,
  order: Uint32Array,
  bound: bigint,
): bigint[] {
  const perDistinct = new Array<bigint>(order.length).fill(0n);
  // A row with no key (-1) is never sent, so its value cannot be summed.
  for (let i = 0; i < groupOf.length; i++) if (groupOf[i]! >= 0) perDistinct[groupOf[i]!]! += BigInt(values[i]!);
  return Array.from(order, (d) => (perDistinct[d]! > bound ? bound : perDistinct[d]!));
}
