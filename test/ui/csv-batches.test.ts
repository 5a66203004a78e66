import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_PARSE_OPTIONS } from '../../src/identifiers/csv-records.js';
import { recordBatches, type CsvBatch } from '../../src/ui/csv-batches.js';

async function* inChunks(text: string, sizes: readonly number[]): AsyncGenerator<string> {
  let at = 0;
  for (const size of sizes) {
    if (at >= text.length) break;
    yield text.slice(at, at + size);
    at += size;
  }
  if (at < text.length) yield text.slice(at);
}

function parsed(text: string, delimiter?: CsvBatch['delimiter'], separator = ','): string[][] | string {
  try {
    const records: string[][] = parse(text, {
      ...CSV_PARSE_OPTIONS,
      delimiter: separator,
      ...(delimiter === undefined ? {} : { record_delimiter: delimiter }),
    });
    return records;
  } catch (e) {
    return (e as { code: string }).code;
  }
}

async function batched(text: string, sizes: readonly number[], separator = ','): Promise<string[][] | string> {
  const records: string[][] = [];
  for await (const { text: batch, delimiter } of recordBatches(inChunks(text, sizes), separator)) {
    const out = parsed(batch, delimiter, separator);
    if (typeof out === 'string') return out;
    records.push(...out);
  }
  return records;
}

describe('recordBatches', () => {
  it('cuts only between records: quoted commas and line breaks stay whole', async () => {
    const text = 'email,note\nann@example.com,"a, b\nc"\r\nbob@example.com,"say ""hi"""\n';
    const batches: string[] = [];
    for await (const b of recordBatches(inChunks(text, [3, 5, 7, 11, 13]))) batches.push(b.text);
    expect(batches.join('')).toBe(text);
    expect(await batched(text, [3, 5, 7, 11, 13])).toEqual(parsed(text));
  });

  it('gives csv-parse the records it gives for the whole text, whatever the chunks', async () => {
    const text = fc.array(fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é'), { maxLength: 60 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 20 }), async (csv, sizes) => {
        const whole = parsed(csv);
        // An unreadable file is reported either way; its partial records are no contract.
        if (typeof whole === 'string') return;
        expect(await batched(csv, sizes)).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });

  it('does the same with semicolons or tabs between fields', async () => {
    for (const separator of [';', '\t']) {
      const text = fc.array(fc.constantFrom('a', ',', separator, '"', '\n', '\r', ' '), { maxLength: 60 }).map((cs) => cs.join(''));
      await fc.assert(
        fc.asyncProperty(text, fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 20 }), async (csv, sizes) => {
          const whole = parsed(csv, undefined, separator);
          if (typeof whole === 'string') return;
          expect(await batched(csv, sizes, separator)).toEqual(whole);
        }),
        { numRuns: 1000 },
      );
    }
  });

  it('refuses a record over the size bound instead of holding the rest of the file', async () => {
    const open = `"${'x'.repeat(1 << 20)}`;
    await expect(batched(`email\n${open}\n`, [65_536, 65_536, ...Array<number>(20).fill(65_536)])).rejects.toMatchObject({
      code: 'CSV_RECORD_TOO_LARGE',
    });
  });
});
