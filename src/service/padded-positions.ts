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
/** Random bytes per position: a 16-bit draw decides whether it pads. */
const DRAW_BYTES = 2;
/** Positions whose draws are taken from the source at once. */
const DRAWS = 4_096;

/**
 * Every one of `matches` (distinct positions in [0, size)) and, drawn uniformly
 * among the other positions, as many more as make `bound` in all (none when the
 * matches reach it), in ascending runs of at most `run` positions. Selection
 * sampling: one pass over all `size` positions, each not matched taken with
 * probability (padding still needed) / (unmatched positions left), so exactly
 * the padding needed is taken. The work is the pass, public as `size` is, and
 * the positions read, `bound` whoever matched; only marking the matches varies.
 *
 * The padding positions need not be secret nor exactly uniform: they only give
 * the reads the same spread as matches, which sit anywhere in a shuffled set.
 * Their draws are 16-bit, with integer arithmetic (exact up to 2^37 positions).
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
  const matched = new Uint8Array(Math.ceil(size / 8));
  for (const m of matches) matched[m >> 3]! |= 1 << (m & 7);
  let need = Math.max(0, bound - matches.length);
  let left = size - matches.length;
  let draws: Uint8Array = new Uint8Array(0);
  let d = 0;
  let out: PositionRun = { positions: [], hits: [] };
  for (let p = 0; p < size; p++) {
    if (d === draws.length) {
      draws = random(DRAW_BYTES * Math.min(DRAWS, size - p));
      d = 0;
    }
    const u = draws[d]! * 256 + draws[d + 1]!;
    d += DRAW_BYTES;
    const hit = ((matched[p >> 3]! >> (p & 7)) & 1) === 1;
    const pads = !hit && u * left < need * 65_536;
    if (hit || pads) {
      out.positions.push(p);
      out.hits.push(hit);
    }
    if (pads) need--;
    if (!hit) left--;
    if (out.positions.length === run) {
      yield out;
      out = { positions: [], hits: [] };
    }
  }
  if (out.positions.length > 0) yield out;
}
