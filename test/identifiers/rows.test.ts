import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSITE_FIELDS, type IdentifierRows, type KeyColumn } from '../../src/primitives.js';
import { compositeKey, type IdentifierError, normalize, psiItem, rowKeys } from '../../src/core.js';
import { identifierRows, readIdentifierRows } from '../../src/files.js';
import { codeOf } from '../codes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindjoin-rows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `rows-${n++}.csv`);
  await writeFile(path, content);
  return path;
}

const US = { defaultCountry: 'US' } as const;
const emailPhone: KeyColumn[] = [
  { name: 'email', type: 'email' },
  { name: 'phone', type: 'phone' },
];

/** Each accepted row as [line, [column label, item]...]. */
function table(rows: IdentifierRows): [number, [string, Uint8Array][]][] {
  return Array.from({ length: rows.count }, (_, r) => [
    rows.lines[r]!,
    rows.keys(r).map((k) => [rows.columns[k.column]!, k.item] as [string, Uint8Array]),
  ]);
}

describe('composite keys', () => {
  it('joins field-by-field normalised fields with U+001F and is one typed PSI item', () => {
    const value = compositeKey('name_zip', { first_name: ' John ', last_name: "O'Brien", zip: '94035-1234' });
    expect(normalize(value, 'name_zip')).toBe('john\u001fobrien\u001f94035');
    expect(
      normalize(compositeKey('name_zip_country', ['Mrs. Jane', 'Doe, Jr.', 'M1 1AE', 'United Kingdom']), 'name_zip_country', {
        profile: 'google',
      }),
    ).toBe('jane\u001fdoe\u001fm11ae\u001fgb');
    const item = psiItem('name_zip', value);
    expect(new TextDecoder().decode(item.subarray(0, 27))).toBe('blindjoin/item/v1/name_zip\0');
    expect(item).toEqual(psiItem('name_zip', compositeKey('name_zip', ['JOHN', 'OBrien', '94035'])));
    expect(item).not.toEqual(psiItem('name_zip_country', compositeKey('name_zip_country', ['John', "O'Brien", '94035', 'US'])));
    expect(COMPOSITE_FIELDS.name_zip_country).toEqual(['first_name', 'last_name', 'zip', 'country']);
  });

  it('fails with the failing field named, and on the wrong number of fields', async () => {
    const err = (() => {
      try {
        normalize(compositeKey('name_zip', ['John', 'Smith', '1']), 'name_zip');
      } catch (e) {
        return e as IdentifierError;
      }
    })();
    expect(err?.code).toBe('ZIP_INVALID');
    expect(err?.message).toMatch(/^name_zip: /);
    expect(await codeOf(() => normalize('John Smith 94035', 'name_zip'))).toBe('COMPOSITE_INVALID');
    expect(await codeOf(() => compositeKey('name_zip', ['John', 'Smith']))).toBe('COMPOSITE_INVALID');
    expect(await codeOf(() => normalize(compositeKey('name_zip', ['John', '', '94035']), 'name_zip'))).toBe('EMPTY');
    expect(await codeOf(() => normalize('a\u001fb\u0000\u001f94035', 'name_zip'))).toBe('VALUE_INVALID');
  });
});

describe('rowKeys', () => {
  const columns: KeyColumn[] = [...emailPhone, { names: ['first', 'last', 'zip'], type: 'name_zip' }];

  it('keeps the keys that normalise and reports the others', () => {
    const { keys, problems } = rowKeys({ email: 'Jane@Example.com', phone: '555', first: 'Jane', last: 'Doe', zip: '94035' }, columns, US);
    expect(keys.map((k) => [k.column, k.type])).toEqual([
      [0, 'email'],
      [2, 'name_zip'],
    ]);
    expect(keys[0]!.item).toEqual(psiItem('email', 'jane@example.com'));
    expect(keys[1]!.item).toEqual(psiItem('name_zip', compositeKey('name_zip', ['jane', 'doe', '94035'])));
    expect(problems).toEqual([{ column: 'phone', code: 'PHONE_INVALID', reason: expect.stringContaining('column "phone"') }]);
  });

  it('skips empty keys silently, but reports a composite with some fields missing', () => {
    expect(rowKeys({ email: ' ', phone: '' }, columns, US)).toEqual({ keys: [], problems: [] });
    const { keys, problems } = rowKeys({ phone: '(650) 555-1212', first: 'Jane', last: 'Doe' }, columns, US);
    expect(keys.map((k) => k.item)).toEqual([psiItem('phone', '+16505551212')]);
    expect(problems).toEqual([{ column: 'first+last+zip', code: 'EMPTY', reason: expect.stringContaining('empty: zip') }]);
    expect(rowKeys({ email: 42 as never }, columns).problems[0]!.code).toBe('VALUE_INVALID');
  });

  it('takes pre-hashed columns with their own hashOf', () => {
    const hex = '10e6f0b47054a83359477dcb35231db6de5c69fb1816e1a6b98e192de9e5b9ee'; // sha256('+12345678901')
    const { keys } = rowKeys({ h: hex }, [{ name: 'h', type: 'sha256', hashOf: 'phone' }]);
    expect(keys[0]!.item).toEqual(psiItem('phone', '+1 234 567 8901', { profile: 'google' }));
    expect(keys[0]!.type).toBe('phone');
  });

  it('refuses malformed columns before any row', async () => {
    expect(await codeOf(() => rowKeys({}, []))).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => rowKeys({}, [{ name: 'a', type: 'name_zip' }]))).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => rowKeys({}, [{ names: ['a', 'b'], type: 'name_zip' }]))).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => rowKeys({}, [{ name: 'a', names: ['a'], type: 'email' }]))).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => rowKeys({}, [{ name: 'a', type: 'email', hashOf: 'phone' }]))).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => rowKeys({}, [{ name: 'a', type: 'ssn' as never }]))).toBe('TYPE_UNKNOWN');
    expect(await codeOf(() => rowKeys({}, [{ name: 'a', type: 'raw' as never }]))).toBe('TYPE_UNKNOWN');
  });
});

const crm = [
  '\ufeffuser_id,email,phone,first_name,last_name,zip,segment',
  'u1,jane@example.com,,Jane,Doe,94035,gold', // email (and name_zip)
  'u2,,+1 650 555 1212,,,,silver', // phone only
  'u3,Bob@Example.com,(650) 555-1213,,,,gold', // both
  'u4,carol@example.com,12,,,,', // invalid phone + valid email
  '"u5","dan@example.com","+1 650 555 1214","Dan ""D""","Smith, Jr.","94035","quoted ""x"", with comma"',
  'u6,not-an-email,555,,,,', // nothing normalises
  'u7,,,,,,', // nothing at all
  'u8,x@example.com', // ragged
  '"u9","multi', // one record over two lines
  'line@example.com",,,,,',
].join('\r\n');

describe('readIdentifierRows', () => {
  it('reads email only, phone only, both, and a bad phone next to a good email', async () => {
    const rows = await readIdentifierRows(await file(crm), { columns: emailPhone, keep: ['user_id', 'segment'], ...US });
    expect(rows.rowsRead).toBe(9);
    expect(rows.columns).toEqual(['email', 'phone']);
    expect(table(rows)).toEqual([
      [2, [['email', psiItem('email', 'jane@example.com')]]],
      [3, [['phone', psiItem('phone', '+16505551212')]]],
      [
        4,
        [
          ['email', psiItem('email', 'bob@example.com')],
          ['phone', psiItem('phone', '+16505551213')],
        ],
      ],
      [5, [['email', psiItem('email', 'carol@example.com')]]],
      [
        6,
        [
          ['email', psiItem('email', 'dan@example.com')],
          ['phone', psiItem('phone', '+16505551214')],
        ],
      ],
    ]);
    expect(rows.kept(4)).toEqual(['u5', 'quoted "x", with comma']);
    expect(rows.kept(1)).toEqual(['u2', 'silver']);
    expect(rows.warnings).toEqual([{ line: 5, column: 'phone', code: 'PHONE_INVALID', reason: expect.stringContaining('phone') }]);
    expect(rows.rejected.map((r) => [r.line, r.code])).toEqual([
      [7, 'EMAIL_INVALID'],
      [8, 'EMPTY'],
      [9, 'CSV_RAGGED'],
      [10, 'VALUE_INVALID'], // the quoted line break is inside the email
    ]);
    expect(rows.rejected[0]!.reason).toMatch(/no key normalises: column "email".*; column "phone"/);
    expect(rows.keyCount).toBe(7);
    expect(Array.from(rows.keyStart)).toEqual([0, 1, 2, 4, 5, 7]);
    expect(Array.from(rows.keyRow)).toEqual([0, 1, 2, 2, 3, 4, 4]);
    expect(rows.item(3)).toEqual(psiItem('phone', '+16505551213'));
    expect(() => rows.item(7)).toThrow(RangeError);
  });

  it('reads composite keys from several columns, quoted fields included', async () => {
    const rows = await readIdentifierRows(await file(crm), {
      columns: [{ names: ['first_name', 'last_name', 'zip'], type: 'name_zip' }],
      profile: 'google',
    });
    expect(table(rows)).toEqual([
      [2, [['first_name+last_name+zip', psiItem('name_zip', compositeKey('name_zip', ['jane', 'doe', '94035']))]]],
      [
        6,
        [['first_name+last_name+zip', psiItem('name_zip', compositeKey('name_zip', ['dan "d"', 'smith', '94035']), { profile: 'google' })]],
      ],
    ]);
  });

  it('gives the same rows for CRLF and LF, from a file and from a stream delivered a byte at a time', async () => {
    const opts = { columns: emailPhone, keep: ['user_id'], ...US };
    const fromFile = await readIdentifierRows(await file(crm), opts);
    const bytes = Buffer.from(crm.replaceAll('\r\n', '\n'));
    const trickle = Readable.from(
      (function* () {
        for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
      })(),
    );
    const fromStream = await readIdentifierRows(trickle, opts);
    expect(table(fromStream)).toEqual(table(fromFile));
    expect(fromStream.rejected).toEqual(fromFile.rejected);
    expect(fromStream.warnings).toEqual(fromFile.warnings);
    expect(Array.from({ length: fromStream.count }, (_, r) => fromStream.kept(r))).toEqual([['u1'], ['u2'], ['u3'], ['u4'], ['u5']]);
  });

  it('counts keys that repeat an earlier key, across rows and columns, by type', async () => {
    const path = await file('a,b,c\njane@example.com,Jane@Example.com,jane@example.com\njane@example.com,,\n+16505551212,,\n');
    const rows = await readIdentifierRows(path, {
      columns: [
        { name: 'a', type: 'email' },
        { name: 'b', type: 'email' },
        { name: 'c', type: 'external_id' },
      ],
    });
    expect(rows.keyCount).toBe(4);
    expect(rows.duplicates).toBe(2);
    expect(rows.rejected.map((r) => r.code)).toEqual(['EMAIL_INVALID']);
  });

  it('streams row by row with identifierRows', async () => {
    const seen: [number, number, boolean][] = [];
    for await (const row of identifierRows(await file(crm), { columns: emailPhone, ...US }))
      seen.push([row.line, row.keys.length, row.rejected !== undefined]);
    expect(seen).toEqual([
      [2, 1, false],
      [3, 1, false],
      [4, 2, false],
      [5, 1, false],
      [6, 2, false],
      [7, 0, true],
      [8, 0, true],
      [9, 0, true],
      [10, 0, true],
    ]);
    expect(seen.length).toBe(9);
  });

  it('holds 50,000 rows (75,000 keys, over one 65,536-key digest chunk) in typed arrays and reports progress', async () => {
    const count = 50_000;
    const source = Readable.from(
      (function* () {
        yield 'id,email,phone\n';
        for (let i = 0; i < count; i++)
          yield `${i},user${i}@example.com,${i % 2 === 0 ? `+1650555${String(i % 10_000).padStart(4, '0')}` : ''}\n`;
      })(),
    );
    const progress: number[] = [];
    const rows = await readIdentifierRows(source, { columns: emailPhone, keep: ['id'], onProgress: (r) => progress.push(r) });
    expect(rows.count).toBe(count);
    expect(rows.keyCount).toBe(count * 1.5);
    expect(rows.lines).toBeInstanceOf(Uint32Array);
    expect(rows.lines[count - 1]).toBe(count + 1);
    expect(rows.kept(count - 1)).toEqual([String(count - 1)]);
    expect(rows.keys(count - 2)[1]!.item).toEqual(psiItem('phone', '+16505559998'));
    expect(rows.duplicates).toBe(count / 2 - 5_000); // even i: 5,000 distinct phones
    expect(progress.at(-1)).toBe(count);
  });

  it('fails on missing columns and bad options with typed errors', async () => {
    const path = await file('Name,E-mail\nx,y\n');
    expect(await codeOf(readIdentifierRows(path, { columns: [{ name: 'email', type: 'email' }] }))).toBe('CSV_COLUMN_MISSING');
    expect(await codeOf(readIdentifierRows(path, { columns: [{ name: 'E-mail', type: 'email' }], keep: ['user_id'] }))).toBe(
      'CSV_COLUMN_MISSING',
    );
    expect(await codeOf(readIdentifierRows(await file(''), { columns: emailPhone }))).toBe('CSV_COLUMN_MISSING');
    expect(await codeOf(readIdentifierRows(path, { columns: [] }))).toBe('CSV_OPTIONS_INVALID');
    expect(await codeOf(readIdentifierRows(path, { columns: emailPhone, keep: 'user_id' as never }))).toBe('CSV_OPTIONS_INVALID');
    expect(await codeOf(readIdentifierRows(join(dir, 'missing.csv'), { columns: emailPhone }))).toBe('CSV_UNREADABLE');
  });

  it('reports bytes that are not UTF-8 per key, keeping the row when another key is good', async () => {
    const bytes = Buffer.concat([Buffer.from('email,phone\njos'), Buffer.from([0xe9]), Buffer.from('@example.com,+16505551212\n')]);
    const rows = await readIdentifierRows(await file(bytes), { columns: emailPhone });
    expect(rows.count).toBe(1);
    expect(rows.warnings.map((w) => [w.line, w.code])).toEqual([[2, 'ENCODING_INVALID']]);
  });
});
