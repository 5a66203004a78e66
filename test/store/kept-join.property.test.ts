import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamingJoin } from '../../src/protocol/streaming-join.js';
import { joinSortedKept, type KeptReads } from '../../src/store/kept-join.js';
import { KEPT_RECORD_BYTES, sortedRun, writeSortedKept, type SortedKeptFiles } from '../../src/store/sorted-kept.js';
import { withDir } from './helpers.js';

const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Elements drawn from a small pool (so sides share and repeat them), some sharing their first 8 bytes or all but the last. */
const pool = fc
  .array(fc.record({ bytes: fc.uint8Array({ minLength: 32, maxLength: 32 }), shape: fc.constantFrom('random', 'prefix', 'last-byte') }), {
    minLength: 1,
    maxLength: 24,
  })
  .map((drawn) =>
    drawn.map(({ bytes, shape }, i) => {
      const out = bytes.slice();
      if (shape === 'prefix') out.fill(7, 0, 8);
      if (shape === 'last-byte') out.fill(9, 0, 31).fill(i, 31);
      return out;
    }),
  );
const picks = (max: number) => fc.array(fc.nat(), { maxLength: max });

const scenario = pool.chain((values) =>
  fc.record({
    values: fc.constant(values),
    peer: picks(30),
    sent: picks(30),
    segments: fc.array(fc.record({ picks: picks(40), valid: fc.boolean() }), { maxLength: 5 }),
    reads: fc.record({ gapBlocks: fc.nat(3), maxReadBlocks: fc.integer({ min: 1, max: 4 }), readsPerTurn: fc.integer({ min: 1, max: 3 }) }),
  }),
);

/** The join as it was: the kept elements of valid segments added after the sent ones, in index order, to the table join. */
function tableJoin(peer: Uint8Array, sent: Uint8Array, kept: { elements: Uint8Array; valid: boolean }[]): number[] {
  const join = new StreamingJoin(peer);
  join.add(sent);
  for (const segment of kept) if (segment.valid) join.add(segment.elements);
  return Array.from(join.positions());
}

async function sortedJoin(
  dir: string,
  peer: Uint8Array,
  sent: Uint8Array,
  kept: { elements: Uint8Array; valid: boolean }[],
  reads: KeptReads,
): Promise<number[]> {
  const runs: string[] = [];
  for (const [s, segment] of kept.entries()) {
    runs.push(join(dir, `run-${s}`));
    await writeFile(runs.at(-1)!, sortedRun(segment.elements, s));
  }
  const files: SortedKeptFiles = { data: join(dir, 'kept.sorted'), index: join(dir, 'kept.index') };
  const sorted = await writeSortedKept(
    files,
    runs.map((path) => ({ path, keep: () => true })),
  );
  const starts: number[] = [];
  let at = sent.length / 32;
  for (const segment of kept) {
    starts.push(at);
    if (segment.valid) at += segment.elements.length / 32;
  }
  const joined = new StreamingJoin(peer);
  joined.add(sent);
  const ascending = joined.peerAscending();
  const matches = await joinSortedKept(files, sorted, ascending, (s) => kept[s]?.valid === true, reads);
  joined.addMatches(
    ascending,
    matches.map((m) => ({ peer: m.query, index: starts[m.segment]! + m.offset })),
  );
  return Array.from(joined.positions());
}

describe('the sorted kept set', () => {
  it('joins to exactly the positions the table join over every kept element gave', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ values, peer, sent, segments, reads }) => {
        const pick = (list: number[]) => concat(list.map((i) => values[i % values.length]!));
        const kept = segments.map((s) => ({ elements: pick(s.picks), valid: s.valid }));
        const expected = tableJoin(pick(peer), pick(sent), kept);
        const got = await withDir((dir) => sortedJoin(dir, pick(peer), pick(sent), kept, reads));
        expect(got).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('merges an earlier kept set, less the segments dropped, with new runs into all their records in order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ values, segments }) => {
        const pick = (list: number[]) => concat(list.map((i) => values[i % values.length]!));
        await withDir(async (dir) => {
          const runOf = async (s: number, elements: Uint8Array) => {
            const path = join(dir, `run-${s}`);
            await writeFile(path, sortedRun(elements, s));
            return path;
          };
          // An earlier set of every segment; then the invalid ones are replaced by new elements.
          const earlier = { data: join(dir, 'a.sorted'), index: join(dir, 'a.index') };
          const inputs = await Promise.all(segments.map(async (s, i) => ({ path: await runOf(i, pick(s.picks)), keep: () => true })));
          await writeSortedKept(earlier, inputs);
          const renewed = segments.map((s, i) => (s.valid ? pick(s.picks) : pick([...s.picks, i])));
          const fresh = await Promise.all(
            segments.flatMap((s, i) => (s.valid ? [] : [runOf(100 + i, renewed[i]!).then((path) => ({ path, keep: () => true }))])),
          );
          const next = { data: join(dir, 'b.sorted'), index: join(dir, 'b.index') };
          const kept = await writeSortedKept(next, [{ path: earlier.data, keep: (s) => segments[s]?.valid === true }, ...fresh]);
          const bytes = new Uint8Array(await readFile(next.data));
          // The same records as one sort of them all: valid segments under their own number, renewed ones under 100 + it.
          const all = concat(segments.map((s, i) => sortedRun(renewed[i]!, s.valid ? i : 100 + i)));
          const records = (b: Uint8Array) =>
            Array.from({ length: b.length / KEPT_RECORD_BYTES }, (_, r) =>
              Buffer.from(b.subarray(r * KEPT_RECORD_BYTES, (r + 1) * KEPT_RECORD_BYTES)),
            );
          const expected = records(all).sort(
            (x, y) =>
              Buffer.compare(x.subarray(0, 32), y.subarray(0, 32)) ||
              x.readUInt32LE(32) - y.readUInt32LE(32) ||
              x.readUInt32LE(36) - y.readUInt32LE(36),
          );
          expect(records(bytes)).toEqual(expected);
          expect(kept.records).toBe(expected.length);
        });
      }),
      { numRuns: 60 },
    );
  });
});
