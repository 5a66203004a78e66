import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRowMap, encodeRowMap, readRowEntries, type StoredRow } from '../../src/store/row-map.js';

const dir = mkdtempSync(join(tmpdir(), 'bj-row-entries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Entries from a few bytes to past the 16 KiB gap, so that reads coalesce and split.
const entry = fc.array(fc.record({ line: fc.nat(1e6), value: fc.string({ maxLength: 40 }), pad: fc.integer({ min: 0, max: 20_000 }) }), {
  minLength: 1,
  maxLength: 3,
});

describe('readRowEntries', () => {
  it('gives the entries at any positions, repeated and in any order, exactly as decoding the whole file does', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(entry, { minLength: 1, maxLength: 40 })
          .chain((entries) => fc.tuple(fc.constant(entries), fc.array(fc.nat(entries.length - 1), { maxLength: 60 }))),
        async ([entries, ks]) => {
          const rows: StoredRow[][] = entries.map((rs, k) =>
            rs.map((r, i) => ({ index: k * 4 + i, source: 0, row: { line: r.line, value: `${r.value}${'x'.repeat(r.pad)}` } })),
          );
          const bytes = encodeRowMap(rows);
          const path = join(dir, `${n++}.rows`);
          writeFileSync(path, bytes);
          const whole = decodeRowMap(bytes, path);
          expect(await readRowEntries(path, ks)).toEqual(ks.map((k) => whole[k]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a file that ends inside an entry, and a position past the last, with STORE_CORRUPT', async () => {
    const rows: StoredRow[][] = [0, 1, 2].map((k) => [{ index: k, source: 0, row: { line: k + 2, value: `user${k}@example.com` } }]);
    const path = join(dir, 'short.rows');
    const bytes = encodeRowMap(rows);
    writeFileSync(path, bytes);
    await expect(readRowEntries(path, [3])).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    truncateSync(path, bytes.length - 5);
    await expect(readRowEntries(path, [0, 2])).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});
