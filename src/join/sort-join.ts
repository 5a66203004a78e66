import type { JoinHits } from './hash-join.js';
import { compareTokens, type PackedTokens } from './tokens.js';

/**
 * Token indices of `t` in ascending byte order, ties by index. O(n log n) comparisons
 * whatever the bytes: the worst case the hash join falls back to.
 *
 * @example
 * ```ts
 * sortedOrder(t)[0]; // index of the smallest token
 * ```
 */
export function sortedOrder(t: PackedTokens): Uint32Array {
  const order = new Uint32Array(t.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((x, y) => compareTokens(t, x, t, y) || x - y);
}

/**
 * The hash join's result computed by sorting `b` and binary-searching each token of `a`;
 * slower, but immune to any hash collisions a peer could engineer.
 *
 * @example
 * ```ts
 * sortJoin(ta, tb).count; // tokens of a found in b
 * ```
 */
export function sortJoin(a: PackedTokens, b: PackedTokens): JoinHits {
  const order = sortedOrder(b);
  const hits = new Uint32Array(a.count);
  let count = 0;
  for (let i = 0; i < a.count; i++) {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareTokens(a, i, b, order[mid]!);
      if (c === 0) {
        hits[count++] = i;
        break;
      }
      if (c < 0) hi = mid;
      else lo = mid + 1;
    }
  }
  return { hits, count };
}

/**
 * Index of the first token of `t` that repeats an earlier one, or -1, by sorting.
 *
 * @example
 * ```ts
 * sortFirstDuplicate(t); // -1 when all tokens are distinct
 * ```
 */
export function sortFirstDuplicate(t: PackedTokens): number {
  const order = sortedOrder(t);
  let first = -1;
  for (let r = 1; r < order.length; r++) {
    const later = order[r]!;
    // Equal runs are in index order, so `later` repeats the smaller order[r - 1].
    if ((first === -1 || later < first) && compareTokens(t, order[r - 1]!, t, later) === 0) first = later;
  }
  return first;
}
