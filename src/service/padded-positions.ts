import { cryptoSource, type ByteSource } from '../random/source.js';

/**
 * Ascending positions to read, and which of them are matches (the others pad).
 *
 * @example
 * ```ts
 * const run: PositionRun = { positions: [3, 8, 17], hits: [true, false, true] };
 * ```
 */
export interface PositionRun {
  positions: number[];
  hits: boolean[];
}

/** Positions per run: one run's rows are read and folded before the next is drawn. */
const RUN = 65_536;
/** Random bytes per draw: 48 bits, scaled to the range (a bias below 2^-20 at 2^28 positions, immaterial here). */
const DRAW_BYTES = 6;
/** Draws taken from the source at once. */
const DRAWS = 4_096;

/**
 * Every one of `matches` (distinct positions in [0, size)) and, drawn uniformly
 * among the other positions, as many more as make `bound` in all (none when the
 * matches reach it), in ascending runs of at most `run` positions. The padding
 * is a uniform sample of ranks among the unmatched positions (Floyd's
 * algorithm: exactly one draw per padding position), sorted and merged with the
 * sorted matches into positions. Its work is `bound` draws, a sort of what is
 * drawn and one merge of `bound` positions: `bound` whoever matched, nothing
 * in proportion to `size`; only which branch of the merge runs varies.
 *
 * The padding positions need not be secret nor exactly uniform: they only give
 * the reads the same spread as matches, which sit anywhere in a shuffled set.
 *
 * @example
 * ```ts
 * for (const { positions, hits } of paddedRuns([4, 90], 10, 1000)) read(positions); // 10 positions, 4 and 90 among them
 * ```
 */
export function* paddedRuns(
  matches: readonly number[],
  bound: number,
  size: number,
  opts: { run?: number; random?: ByteSource } = {},
): Generator<PositionRun> {
  const { run = RUN, random = cryptoSource } = opts;
  const unmatched = size - matches.length;
  const ranks = sampleRanks(Math.min(Math.max(0, bound - matches.length), unmatched), unmatched, random);
  const sorted = Float64Array.from(matches).sort();
  let out: PositionRun = { positions: [], hits: [] };
  // Rank r among the unmatched is position r plus the matches before it: merge both ascending.
  for (let m = 0, k = 0; m < sorted.length || k < ranks.length;) {
    const pad = k < ranks.length ? ranks[k]! + m : Infinity;
    const hit = m < sorted.length && sorted[m]! <= pad;
    out.positions.push(hit ? sorted[m++]! : pad);
    out.hits.push(hit);
    if (!hit) k++;
    if (out.positions.length === run) {
      yield out;
      out = { positions: [], hits: [] };
    }
  }
  if (out.positions.length > 0) yield out;
}

/** `count` distinct ranks drawn uniformly from [0, of), ascending: Floyd's algorithm, one draw each. */
function sampleRanks(count: number, of: number, random: ByteSource): Float64Array {
  const chosen = new Set<number>();
  let draws: Uint8Array = new Uint8Array(0);
  let d = 0;
  for (let j = of - count; j < of; j++) {
    if (d === draws.length) {
      draws = random(DRAW_BYTES * Math.min(DRAWS, of - j));
      d = 0;
    }
    let u = 0;
    for (let b = 0; b < DRAW_BYTES; b++) u = u * 256 + draws[d + b]!;
    d += DRAW_BYTES;
    const t = Math.floor((u / 2 ** (8 * DRAW_BYTES)) * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Float64Array.from(chosen).sort();
}
