import { hashJoin, type JoinHits } from './hash-join.js';
import { sortJoin } from './sort-join.js';
import { packedTokens, randomHashKeys, tokenWidth, withinMemory, type PackedOptions, type PackedTokens } from './tokens.js';

/**
 * The hash join under `keys`, or the sort join when the hash join gives up.
 *
 * @example
 * ```ts
 * joinTokens(ta, tb, randomHashKeys(32)).count;
 * ```
 */
export function joinTokens(a: PackedTokens, b: PackedTokens, keys: Int32Array): JoinHits {
  return hashJoin(a, b, keys) ?? sortJoin(a, b);
}

function join(a: Uint8Array, b: Uint8Array, opts: PackedOptions | undefined): JoinHits {
  const width = tokenWidth(opts);
  const ta = packedTokens(a, width, 'a');
  const tb = packedTokens(b, width, 'b');
  return withinMemory(() => joinTokens(ta, tb, randomHashKeys(width)));
}

/**
 * Ascending indices `i` of the `width`-byte tokens `a[i*width .. (i+1)*width)` that also
 * occur in `b`. A token repeated in `a` yields each of its indices; repeats in `b` do not
 * multiply results. Exact: every match is confirmed by a full-width comparison.
 *
 * Radix-partitioned, cache-sized open-addressing tables under a fresh random hash key per
 * call; no per-token strings or objects. If engineered collisions make the tables
 * degrade, it switches to a sort-based join: O(n log n) worst case, never quadratic.
 *
 * @param opts.width bytes per token, an integer in 1..1024; default 32.
 * @throws PsiError `JOIN_INPUT_INVALID` if an input is not a Uint8Array, its length is
 *   not a multiple of the width, or the width is out of range; `JOIN_INPUT_TOO_LARGE`
 *   if the working memory (about 20 bytes per token) cannot be allocated.
 * @example
 * ```ts
 * const a = new Uint8Array([7, 8, 9, 8]);
 * const b = new Uint8Array([8, 1]);
 * intersectPacked(a, b, { width: 1 }); // Uint32Array [1, 3]
 * ```
 */
export function intersectPacked(a: Uint8Array, b: Uint8Array, opts?: PackedOptions): Uint32Array {
  const { hits, count } = join(a, b, opts);
  return hits.slice(0, count);
}

/**
 * How many tokens of `a` occur in `b`, counting repeats in `a`: the length
 * {@link intersectPacked} would return, without copying out the indices.
 *
 * @throws PsiError with the same codes, on the same inputs, as {@link intersectPacked}.
 * @example
 * ```ts
 * countIntersectionPacked(new Uint8Array([7, 8, 9, 8]), new Uint8Array([8, 1]), { width: 1 }); // 2
 * ```
 */
export function countIntersectionPacked(a: Uint8Array, b: Uint8Array, opts?: PackedOptions): number {
  return join(a, b, opts).count;
}
