import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protocolSuite } from '../../src/protocol/suite.js';
import { orderedSegments, partitionInput, planLeaves, type StreamedRow } from '../../src/store/partition.js';
import { withDir } from './helpers.js';

const USERS = 300_000;
/** Every 1000th user appears again at the end, as a second row. */
const AGAIN = 300;

function* rows(): Generator<StreamedRow> {
  for (let i = 0; i < USERS; i++) yield { row: { line: i + 2, value: `u${i}` }, items: [`u${i}@example.com`] };
  for (let k = 0; k < AGAIN; k++) yield { row: { line: USERS + k + 2, value: `again${k}` }, items: [`u${k * 1000}@example.com`] };
}

/** The store's order from a fresh partition under `orderKey`: each element's row entries, parsed. */
async function order(
  dir: string,
  orderKey: Uint8Array,
): Promise<{ leaves: number; largest: number; segments: number[]; entries: number[][] }> {
  await mkdir(dir);
  // No size hint: one bucket, which is too large to load and gets split.
  const parts = await partitionInput(rows(), { prefix: join(dir, 'b'), dst: protocolSuite('x25519').dst, orderKey, expected: 0 });
  expect(parts.buckets).toHaveLength(1);
  expect(parts.items).toBe(USERS + AGAIN);
  const leaves = planLeaves(parts.buckets, orderKey);
  expect(leaves.reduce((n, l) => n + l.distinct, 0)).toBe(USERS);
  const segments: number[] = [];
  const entries: number[][] = [];
  await orderedSegments(leaves, 65_536, orderKey, async (_, packed, texts) => {
    expect(packed.length).toBe(texts.length * 64);
    segments.push(texts.length);
    for (const t of texts) entries.push((JSON.parse(new TextDecoder().decode(t)) as [number][]).map((row) => row[0]));
  });
  return { leaves: leaves.length, largest: Math.max(...leaves.map((l) => l.records)), segments, entries };
}

describe('streamed prepare: buckets on disk', () => {
  it('splits a bucket too large to load, stores each user once with all its rows, in a keyed random order', async () => {
    await withDir(async (dir) => {
      const key = new Uint8Array(randomBytes(32));
      const first = await order(join(dir, 'one'), key);
      expect(first.leaves).toBeGreaterThan(1);
      expect(first.largest).toBeLessThanOrEqual(1 << 18);
      expect(first.segments).toEqual([65_536, 65_536, 65_536, 65_536, USERS - 4 * 65_536]);
      // Every input row named once; a repeated user's two rows together, in input order.
      expect(first.entries.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: USERS + AGAIN }, (_, i) => i));
      const pairs = first.entries.filter((e) => e.length === 2);
      expect(pairs).toHaveLength(AGAIN);
      for (const [a, b] of pairs) expect(b! - USERS).toBe(a! / 1000);
      // Not the input order, and not sorted by it within a segment.
      const firsts = first.entries.map((e) => e[0]!);
      expect(firsts.slice(0, 1000).filter((x, i) => i > 0 && x > firsts[i - 1]!).length).toBeLessThan(600);
      // The same key gives the same order (a resumed prepare puts every element where the first run did); another does not.
      const again = await order(join(dir, 'two'), key);
      expect(again.entries).toEqual(first.entries);
      const other = await order(join(dir, 'three'), new Uint8Array(randomBytes(32)));
      expect(other.entries).not.toEqual(first.entries);
    });
  }, 300_000);
});
