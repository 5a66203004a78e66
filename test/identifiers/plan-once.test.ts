import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadInput, resolveInput } from '../../src/cli/input.js';
import type { CliIo } from '../../src/cli/io.js';
import { streamInput } from '../../src/cli/stream-input.js';
import { checkProfile, checkType } from '../../src/identifiers/checks.js';
import { readIdentifierColumn, readIdentifierRows } from '../../src/identifiers/csv.js';
import { numberedRows } from '../../src/identifiers/csv-records.js';
import { phoneCountry } from '../../src/identifiers/phone.js';
import { rowKeys } from '../../src/identifiers/row-keys.js';
import { prepareRows } from '../../src/ui/prepare.js';

// The option checks of normalisation (the profile, the default country, each
// type) are counted as a pipeline runs: they must run once per pipeline, at
// its boundary, however many rows, keys and composite fields it normalises.
// Before the plan they ran for every cell (and every field of a composite).
vi.mock('../../src/identifiers/checks.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/identifiers/checks.js')>();
  return { ...real, checkProfile: vi.fn(real.checkProfile), checkType: vi.fn(real.checkType) };
});
vi.mock('../../src/identifiers/phone.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/identifiers/phone.js')>();
  return { ...real, phoneCountry: vi.fn(real.phoneCountry) };
});

/** How often each check ran since the last reset. */
function checks(): { profile: number; country: number; type: number } {
  return {
    profile: vi.mocked(checkProfile).mock.calls.length,
    country: vi.mocked(phoneCountry).mock.calls.length,
    type: vi.mocked(checkType).mock.calls.length,
  };
}

/** `rows` customers with an email, a national phone number and a name and postcode. */
function csv(rows: number): string {
  const lines = ['user_id,email,phone,first_name,last_name,zip,country'];
  for (let i = 0; i < rows; i++) {
    const first = ['Mary', 'Ann', 'Zoë', 'John', 'Lee'][i % 5]!;
    lines.push(`u${i},user${i}@example.com,(650) 555-${String(1000 + (i % 9000)).padStart(4, '0')},${first},Smith,94035,US`);
  }
  return `${lines.join('\n')}\n`;
}

const SIZES = [20, 400];
const quiet: CliIo = { out: () => undefined, err: () => undefined, tty: false };
const rules = { profile: 'google', defaultCountry: 'us' } as const;
const keyColumns = [
  { name: 'email', type: 'email' },
  { name: 'phone', type: 'phone' },
  { names: ['first_name', 'last_name', 'zip'], type: 'name_zip' },
] as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindjoin-plan-once-'));
  for (const n of SIZES) await writeFile(join(dir, `${n}.csv`), csv(n));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  vi.clearAllMocks();
});

describe('the option checks of a pipeline', () => {
  it.each(SIZES)('run once for the row reader of %i rows: one profile, one country, each key type and the default hashOf', async (n) => {
    const read = await readIdentifierRows(Readable.from([csv(n)]), { columns: keyColumns, ...rules });
    expect(read.keyCount).toBe(3 * n);
    expect(checks()).toEqual({ profile: 1, country: 1, type: keyColumns.length + 1 });
  });

  it.each(SIZES)('run once for the column reader of %i rows', async (n) => {
    const read = await readIdentifierColumn(Readable.from([csv(n)]), { column: 'phone', type: 'phone', ...rules });
    expect(read.items).toHaveLength(n);
    expect(checks()).toEqual({ profile: 1, country: 1, type: 2 });
  });

  it('run once for rowKeys of a record with a composite key', () => {
    const { keys } = rowKeys({ email: 'a@b.com', first_name: 'Mrs. Ann', last_name: 'Lee', zip: '10115' }, [...keyColumns], rules);
    expect(keys).toHaveLength(2);
    expect(checks()).toEqual({ profile: 1, country: 1, type: keyColumns.length + 1 });
  });

  it.each(SIZES)("run once for match's and serve's input of %i rows, several key columns or one", async (n) => {
    const file = join(dir, `${n}.csv`);
    const several = await loadInput(
      file,
      resolveInput({ column: 'email,phone,first_name+last_name+zip', type: 'email,phone,name_zip', ...rules }),
      quiet,
    );
    expect(several.items).toHaveLength(3 * n);
    expect(checks()).toMatchObject({ profile: 1, country: 1 });
    vi.clearAllMocks();
    const one = await loadInput(file, resolveInput({ column: 'email', type: 'email', ...rules }), quiet);
    expect(one.items).toHaveLength(n);
    expect(checks()).toEqual({ profile: 1, country: 1, type: 2 });
  });

  it.each(SIZES)("run once for prepare's streamed input of %i rows", async (n) => {
    const input = await streamInput(
      join(dir, `${n}.csv`),
      resolveInput({ column: 'email,phone', type: 'email,phone', emit: ['user_id'], ...rules }),
      quiet,
    );
    let rows = 0;
    for await (const _ of input.rows) rows++;
    expect(rows).toBe(n);
    expect(checks()).toEqual({ profile: 1, country: 1, type: 3 });
  });

  it.each(SIZES)("run once for the page's prepared rows of %i rows, each phone read with its row's country", async (n) => {
    async function* parsed() {
      for (const line of csv(n).trimEnd().split('\n')) yield line.split(',');
    }
    const { rows } = await prepareRows(numberedRows(parsed()), { columns: [...keyColumns], ...rules, countryColumn: 'country' });
    expect(rows).toHaveLength(n);
    expect(checks()).toEqual({ profile: 1, country: 1, type: keyColumns.length + 1 });
  });
});
