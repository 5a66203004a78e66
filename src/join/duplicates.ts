import { groupCapacity, stepBudget } from './hash-join.js';
import { partitionBits, partitionTokens } from './partition.js';
import { sortFirstDuplicate } from './sort-join.js';
import { packedTokens, randomHashKeys, tokensEqual, tokenWidth, withinMemory, type PackedOptions, type PackedTokens } from './tokens.js';

/**
 * Index of the first token of `t` that repeats an earlier one, or -1, with the same
 * partitioned tables as the join: within a group indices ascend, so the group's first
 * repeat is its smallest, and the answer is the least over groups. Returns null when the
 * probe budget or a table overflows.
 *
 * @example
 * ```ts
 * const at = hashFirstDuplicate(t, randomHashKeys(32)) ?? sortFirstDuplicate(t);
 * ```
 */
export function hashFirstDuplicate(t: PackedTokens, keys: Int32Array): number | null {
  const n = t.count;
  if (n < 2) return -1;
  const parts = partitionTokens(t, keys, partitionBits(n), new Uint32Array(n));
  const { pairs, starts } = parts;
  const groups = 1 << parts.bits;
  const mean = Math.ceil(n / groups);
  let largest = 0;
  for (let g = 0; g < groups; g++) largest = Math.max(largest, starts[g + 1]! - starts[g]!);
  const table = new Uint32Array(2 * groupCapacity(largest, mean));
  let budget = stepBudget(n);
  let first = -1;
  for (let g = 0; g < groups; g++) {
    const from = 2 * starts[g]!,
      to = 2 * starts[g + 1]!;
    const cap = groupCapacity((to - from) >>> 1, mean);
    const mask = cap - 1;
    let room = cap >>> 1;
    table.fill(0, 0, 2 * cap);
    scan: for (let k = from; k < to; k += 2) {
      const h = pairs[k]!,
        i = pairs[k + 1]!;
      if (first !== -1 && i >= first) break;
      for (let s = h & mask; ; s = (s + 1) & mask) {
        const id = table[2 * s + 1]!;
        if (id === 0) {
          if (--room < 0) return null;
          table[2 * s] = h;
          table[2 * s + 1] = i + 1;
          break;
        }
        if (table[2 * s] === h && tokensEqual(t, id - 1, t, i)) {
          first = i;
          break scan;
        }
        if (--budget < 0) return null;
      }
    }
  }
  return first;
}

/**
 * Index of the first token in `packed` that repeats an earlier one, or -1 when all
 * tokens are distinct. The protocol uses it to reject a peer whose blinded set has
 * duplicates. Exact (full-width comparison); expected linear time, O(n log n) worst case.
 *
 * @throws PsiError `JOIN_INPUT_INVALID` if `packed` is not a Uint8Array, its length is not
 *   a multiple of the width, or the width is not an integer in 1..1024;
 *   `JOIN_INPUT_TOO_LARGE` if the working memory cannot be allocated.
 * @example
 * ```ts
 * const x = new Uint8Array([1, 2, 3, 1]);
 * findDuplicatePacked(x, { width: 1 }); // 3
 * ```
 */
export function findDuplicatePacked(packed: Uint8Array, opts?: PackedOptions): number {
  const width = tokenWidth(opts);
  const t = packedTokens(packed, width, 'packed');
  return withinMemory(() => firstDuplicate(t, randomHashKeys(width)));
}

/**
 * The hash search under `keys`, or the sort search when the hash search gives up.
 *
 * @example
 * ```ts
 * firstDuplicate(t, randomHashKeys(32)); // -1 when all tokens are distinct
 * ```
 */
export function firstDuplicate(t: PackedTokens, keys: Int32Array): number {
  return hashFirstDuplicate(t, keys) ?? sortFirstDuplicate(t);
}
