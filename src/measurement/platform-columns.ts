import { exactFigure } from '../disclosure/exact.js';
import type { Figure } from '../wire/figure.js';
import type { DisclosurePolicy } from '../disclosure/policy.js';
import { cryptoSource, type ByteSource } from '../random/source.js';
import { release } from '../disclosure/release.js';
import { PsiError } from '../errors.js';

/**
 * The platform's value columns: per-item values and the clamp bound of each
 * column (the most one person adds to its sum: the noise's sensitivity).
 *
 * @example
 * ```ts
 * const columns: PlatformColumns = { impressions: { values: [12, 0, 40], bound: 1000 } };
 * ```
 */
export type PlatformColumns = Readonly<Record<string, { readonly values: readonly number[]; readonly bound: number }>>;

/**
 * Exact sums of `names` over the matched people: each person counts once, with
 * the values of its first matched item (items of one person carry the same row),
 * clamped to the column's bound.
 *
 * @example
 * ```ts
 * matchedSums({ clicks: { values: [3, 9, 4], bound: 5 } }, ['clicks'], [0, 1, 2], (i) => (i === 2 ? 0 : i));
 * // { clicks: 8 }: person 0 once (3), person 1 clamped (5)
 * ```
 */
export function matchedSums(
  columns: PlatformColumns,
  names: readonly string[],
  matches: readonly number[],
  personOf: (item: number) => number | string = (i) => i,
): Record<string, number> {
  const seen = new Set<number | string>();
  const firsts = matches.filter((i) => {
    const person = personOf(i);
    return !seen.has(person) && seen.add(person);
  });
  const out: Record<string, number> = {};
  for (const name of names) {
    const column = columns[name];
    if (column === undefined) throw new PsiError('COLUMN_UNKNOWN', `no value column ${name}`);
    let sum = 0;
    for (const i of firsts) sum += Math.min(column.values[i]!, column.bound);
    if (!Number.isSafeInteger(sum)) throw new PsiError('MEASURE_VALUE_INVALID', `the sum of column ${name} leaves the safe integer range`);
    out[name] = sum;
  }
  return out;
}

/**
 * Releases exact column sums: under a policy each with noise of scale
 * bound/epsilon and no threshold (a sum is not a count of people), else exact.
 *
 * @example
 * ```ts
 * releaseColumns({ clicks: 8123 }, { clicks: { values, bound: 5 } }, {}); // { clicks: { value: 8100, ... } }
 * releaseColumns(sums, columns, {}, (name) => keyedSource(noiseKey, [seed, utf8(name)])); // consistent noise
 * ```
 */
export function releaseColumns(
  sums: Readonly<Record<string, number>>,
  columns: PlatformColumns,
  policy: DisclosurePolicy | undefined,
  random: (name: string) => ByteSource = () => cryptoSource,
): Record<string, Figure> {
  const out: Record<string, Figure> = {};
  for (const [name, exact] of Object.entries(sums)) {
    out[name] =
      policy === undefined
        ? exactFigure(exact)
        : release(exact, { ...policy, sensitivity: columns[name]!.bound, threshold: null }, { random: random(name) });
  }
  return out;
}
