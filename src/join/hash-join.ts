import { partitionBits, partitionTokens, type HashPartitions } from './partition.js';
import { tokensEqual, type PackedTokens } from './tokens.js';

/**
 * Matches found by a join: `hits[0 .. count)` are ascending indices into `a`; the rest
 * of `hits` is scratch.
 *
 * @example
 * ```ts
 * const { hits, count } = sortJoin(ta, tb);
 * const indices = hits.slice(0, count);
 * ```
 */
export interface JoinHits {
  readonly hits: Uint32Array;
  readonly count: number;
}

/**
 * Probe steps past the first slot, summed over all tokens, beyond which the hash is
 * deemed attacked (or astronomically unlucky) and the caller switches to sorting.
 * Random tokens use about two per token.
 *
 * @example
 * ```ts
 * let budget = stepBudget(a.count + b.count);
 * ```
 */
export function stepBudget(tokens: number): number {
  return 8 * tokens + 65_536;
}

/**
 * Open-addressing slots for a group of `size` tokens: a power of two at most an eighth
 * full, because probe time is dominated by mispredicted branches on longer runs, not by
 * the (cache-resident) table size. `size` is capped near the mean group size first: a
 * group swollen by duplicates still gets a small table, and one swollen by colliding
 * hashes overflows it and trips the guard.
 *
 * @example
 * ```ts
 * groupCapacity(2000, 2000); // 16384
 * ```
 */
export function groupCapacity(size: number, meanSize: number): number {
  const capped = Math.min(size, 2 * meanSize + 1024);
  let cap = 16;
  while (cap < 8 * capped) cap *= 2;
  return cap;
}

/**
 * Radix-partitioned hash join of `a` against `b` under hash `keys`. Builds one small
 * linear-probing table of `b` per group (deduplicated by full comparison), probes it with
 * `a`'s group, and keeps per index of `a` the one candidate whose 32-bit hash matched;
 * candidates are then verified in index order, so `a` streams and only `b` is read at
 * random. Returns null when the probe budget or a table overflows (see {@link stepBudget}).
 *
 * @example
 * ```ts
 * const found = hashJoin(ta, tb, randomHashKeys(32)) ?? sortJoin(ta, tb);
 * ```
 */
export function hashJoin(a: PackedTokens, b: PackedTokens, keys: Int32Array): JoinHits | null {
  const n = a.count;
  const m = b.count;
  if (n === 0 || m === 0) return { hits: new Uint32Array(0), count: 0 };
  const bits = partitionBits(m);
  const scratch = new Uint32Array(Math.max(n, m));
  const pa = partitionTokens(a, keys, bits, scratch);
  const pb = partitionTokens(b, keys, bits, scratch);
  // scratch becomes cand: cand[i] = 1 + index in b of a hash match of a[i], 0 if none.
  const cand = scratch.fill(0);
  if (!probeGroups(a, b, pa, pb, cand)) return null;
  const pairs = pa.pairs;
  let found = 0;
  for (let i = 0; i < n; i++) {
    const id = cand[i]!;
    if (id !== 0) {
      pairs[found++] = i;
      pairs[found++] = id - 1;
    }
  }
  const count =
    a.doubles !== null && b.doubles !== null && a.width === 32
      ? verify32(a, b, a.doubles, b.doubles, pairs, found, cand)
      : verifyAny(a, b, pairs, found, cand);
  return { hits: cand, count };
}

function probeGroups(a: PackedTokens, b: PackedTokens, pa: HashPartitions, pb: HashPartitions, cand: Uint32Array): boolean {
  const groups = 1 << pb.bits;
  const aPairs = pa.pairs,
    aStarts = pa.starts,
    bPairs = pb.pairs,
    bStarts = pb.starts;
  const mean = Math.ceil(b.count / groups);
  let largest = 0;
  for (let g = 0; g < groups; g++) largest = Math.max(largest, bStarts[g + 1]! - bStarts[g]!);
  const table = new Uint32Array(2 * groupCapacity(largest, mean));
  let budget = stepBudget(a.count + b.count);
  for (let g = 0; g < groups; g++) {
    const bFrom = 2 * bStarts[g]!,
      bTo = 2 * bStarts[g + 1]!;
    const cap = groupCapacity((bTo - bFrom) >>> 1, mean);
    const mask = cap - 1;
    let room = cap >>> 1;
    table.fill(0, 0, 2 * cap);
    for (let k = bFrom; k < bTo; k += 2) {
      const h = bPairs[k]!,
        j = bPairs[k + 1]!;
      for (let s = h & mask; ; s = (s + 1) & mask) {
        const id = table[2 * s + 1]!;
        if (id === 0) {
          if (--room < 0) return false;
          table[2 * s] = h;
          table[2 * s + 1] = j + 1;
          break;
        }
        if (table[2 * s] === h && tokensEqual(b, id - 1, b, j)) break;
        if (--budget < 0) return false;
      }
    }
    for (let k = 2 * aStarts[g]!, aTo = 2 * aStarts[g + 1]!; k < aTo; k += 2) {
      const h = aPairs[k]!;
      const home = h & mask;
      const first = table[2 * home + 1]!;
      // Usually the run from `home` is at most one slot long, so that slot is the only
      // candidate: take it with arithmetic, not branches, which a ~50% hit rate would
      // mispredict. Writing 0 on a miss is harmless, as each index is probed once.
      if ((+(first === 0) | +(table[2 * ((home + 1) & mask) + 1] === 0)) !== 0) {
        cand[aPairs[k + 1]!] = first & -+(table[2 * home] === h);
        continue;
      }
      for (let s = home; ; s = (s + 1) & mask) {
        const id = table[2 * s + 1]!;
        if (id === 0) break;
        if (table[2 * s] === h) {
          // b is deduplicated, so at most one hash match is real: keep the first and
          // replace it only by a later match that verifies.
          const i = aPairs[k + 1]!;
          if (cand[i] === 0 || tokensEqual(a, i, b, id - 1)) cand[i] = id;
        }
        if (--budget < 0) return false;
      }
    }
  }
  return true;
}

/** Candidates whose b tokens are fetched together before they are compared (measured). */
const TOUCH_BATCH = 16;

/**
 * Keeps the candidates `(i, j)` in `pairs[0 .. length)` whose tokens are equal, writing
 * their `i` to `out`. Nearly all the time goes to cache misses on `b`, so the first pass
 * only loads and compares, batch by batch: it compares 8-byte lanes as doubles, which is
 * exact when no lane is NaN (never equal to itself) or zero (+0 === -0); such rare lanes,
 * and mismatches, get a byte comparison in the second pass.
 */
function verify32(
  a: PackedTokens,
  b: PackedTokens,
  fa: Float64Array,
  fb: Float64Array,
  pairs: Uint32Array,
  length: number,
  out: Uint32Array,
): number {
  const sure = out;
  for (let from = 0; from < length; from += 2 * TOUCH_BATCH) {
    const to = Math.min(length, from + 2 * TOUCH_BATCH);
    // A loop that does nothing but load one lane of each b token of the batch keeps many
    // more misses in flight than the comparing loop would; the comparisons then hit L1.
    // The sum is stored (and overwritten below) so the loads cannot be optimised away.
    let touched = 0;
    for (let k = from + 1; k < to; k += 2) touched += fb[4 * pairs[k]!]!;
    sure[from >>> 1] = touched;
    for (let k = from; k < to; k += 2) {
      const x = 4 * pairs[k]!,
        y = 4 * pairs[k + 1]!;
      const x0 = fa[x]!,
        x1 = fa[x + 1]!,
        x2 = fa[x + 2]!,
        x3 = fa[x + 3]!;
      sure[k >>> 1] =
        +(x0 === fb[y]!) &
        +(x1 === fb[y + 1]!) &
        +(x2 === fb[y + 2]!) &
        +(x3 === fb[y + 3]!) &
        +(x0 !== 0) &
        +(x1 !== 0) &
        +(x2 !== 0) &
        +(x3 !== 0);
    }
  }
  let count = 0;
  for (let k = 0; k < length; k += 2) {
    const i = pairs[k]!;
    // sure[k >>> 1] is read before out[count] (count <= k >>> 1) is written.
    if (sure[k >>> 1] === 1 || tokensEqual(a, i, b, pairs[k + 1]!)) out[count++] = i;
  }
  return count;
}

function verifyAny(a: PackedTokens, b: PackedTokens, pairs: Uint32Array, length: number, out: Uint32Array): number {
  let count = 0;
  for (let k = 0; k < length; k += 2) {
    const i = pairs[k]!;
    if (tokensEqual(a, i, b, pairs[k + 1]!)) out[count++] = i;
  }
  return count;
}
