import { hashTokens, type PackedTokens } from './tokens.js';

/**
 * Tokens grouped by the top bits of their keyed hash, so each group's hash table stays
 * in the core's private cache while it is built and probed.
 *
 * @example
 * ```ts
 * const { pairs, starts } = partitionTokens(t, keys, 9, scratch);
 * const firstGroupSize = starts[1]! - starts[0]!;
 * ```
 */
export interface HashPartitions {
  /** `(hash, index)` pairs, group by group; indices ascend within a group. */
  readonly pairs: Uint32Array;
  /** Group `g` is `pairs[2 * starts[g] .. 2 * starts[g + 1])`. */
  readonly starts: Uint32Array;
  /** log2 of the number of groups. */
  readonly bits: number;
}

/** Tokens per group aimed at: the group's table (2 words a slot, 1/8 full, 128 KiB) then stays in L2. */
const GROUP_TOKENS = 2048;
/** Caps the scatter at 2048 write streams, about as many pages as the L2 TLB maps. */
const MAX_BITS = 11;

/**
 * How many top hash bits split `count` table-side tokens into cache-sized groups.
 *
 * @example
 * ```ts
 * partitionBits(1_000_000); // 9
 * ```
 */
export function partitionBits(count: number): number {
  let bits = 0;
  while (bits < MAX_BITS && count >>> bits > GROUP_TOKENS) bits++;
  return bits;
}

/**
 * Hashes every token of `t` with `keys` and groups the `(hash, index)` pairs by the top
 * `bits` bits of the hash (a stable counting sort). `scratch` (length >= t.count) holds
 * the hashes between the two passes and is free again on return.
 *
 * @example
 * ```ts
 * const parts = partitionTokens(t, keys, partitionBits(t.count), new Uint32Array(t.count));
 * ```
 */
export function partitionTokens(t: PackedTokens, keys: Int32Array, bits: number, scratch: Uint32Array): HashPartitions {
  const count = t.count;
  hashTokens(t, keys, scratch);
  const groups = 1 << bits;
  const starts = new Uint32Array(groups + 1);
  // Touching fresh pages in order first is about twice as cheap as faulting them in
  // the scatter's many-stream order.
  const pairs = new Uint32Array(2 * count).fill(0);
  if (bits === 0) {
    for (let i = 0; i < count; i++) {
      pairs[2 * i] = scratch[i]!;
      pairs[2 * i + 1] = i;
    }
    starts[1] = count;
    return { pairs, starts, bits };
  }
  const shift = 32 - bits;
  for (let i = 0; i < count; i++) starts[(scratch[i]! >>> shift) + 1]!++;
  for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
  const next = starts.slice(0, groups);
  for (let i = 0; i < count; i++) {
    const h = scratch[i]!;
    const at = 2 * next[h >>> shift]!++;
    pairs[at] = h;
    pairs[at + 1] = i;
  }
  return { pairs, starts, bits };
}
