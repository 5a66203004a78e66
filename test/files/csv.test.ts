import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashIdentifier, IdentifierError, psiItem } from '../../src/core.js';
import { readIdentifierColumn, writeHashFile } from '../../src/files.js';
import { codeOf } from '../codes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindjoin-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `in-${n++}.csv`);
  await writeFile(path, content);
  return path;
}

const crm = [
  '\ufeffname,email,phone',
  '"Doe, Jane", Jane@Example.com ,+1 650 555 1212',
  '"two',
  'lines",bob@example.com,',
  '',
  'Carol,,+44 7911 123456',
  'Dan,not-an-email,+1 650 055 0000',
  'Eve,jane@example.com',
  'Fay,fay@example.com,+1 650 555 1213,extra',
  'Gus,JANE@example.com,+33 6 12 34 56 78',
].join('\r\n');

describe('readIdentifierColumn', () => {
  it('handles a BOM, CRLF, quoted commas and newlines, blank lines, and accounts for every row', async () => {
    const col = await readIdentifierColumn(await file(crm), { column: 'email', type: 'email' });
    expect(col.rowsRead).toBe(7);
    expect(col.lines).toEqual([2, 3, 10]);
    expect(col.values).toEqual([' Jane@Example.com ', 'bob@example.com', 'JANE@example.com']);
    expect(col.items[0]).toEqual(psiItem('email', 'jane@example.com'));
    expect(col.duplicates).toBe(1);
    expect(col.rejected.map((r) => [r.line, r.code])).toEqual([
      [6, 'EMPTY'],
      [7, 'EMAIL_INVALID'],
      [8, 'CSV_RAGGED'],
      [9, 'CSV_RAGGED'],
    ]);
    expect(col.rejected[2]!.reason).toMatch(/2 fields, the header has 3/);
  });

  it('gives the same result for LF files and for a stream delivered one byte at a time', async () => {
    const lf = crm.replaceAll('\r\n', '\n');
    const fromFile = await readIdentifierColumn(await file(crm), { column: 'phone', type: 'phone' });
    const bytes = Buffer.from(lf);
    const trickle = Readable.from(
      (function* () {
        for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
      })(),
    );
    const fromStream = await readIdentifierColumn(trickle, { column: 'phone', type: 'phone' });
    expect(fromStream.items).toEqual(fromFile.items);
    expect(fromStream.lines).toEqual(fromFile.lines);
    expect(fromStream.rejected).toEqual(fromFile.rejected);
    expect(fromFile.rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'EMPTY'],
      [7, 'PHONE_INVALID'],
      [8, 'CSV_RAGGED'],
      [9, 'CSV_RAGGED'],
    ]);
  });

  it('names the missing column and the headers it found', async () => {
    const path = await file('Name,E-mail\nx,y\n');
    const err = await readIdentifierColumn(path, { column: 'email', type: 'email' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdentifierError);
    expect((err as IdentifierError).code).toBe('CSV_COLUMN_MISSING');
    expect((err as IdentifierError).message).toContain('"email"');
    expect((err as IdentifierError).message).toContain('"E-mail"');
    expect(await codeOf(readIdentifierColumn(await file(''), { column: 'email', type: 'email' }))).toBe('CSV_COLUMN_MISSING');
  });

  it('matches a header case-insensitively when only one header fits', async () => {
    const col = await readIdentifierColumn(await file('EMAIL\na@example.com\n'), { column: 'email', type: 'email' });
    expect(col.items).toHaveLength(1);
  });

  it('reports bytes that are not UTF-8 instead of hashing replacement characters', async () => {
    const latin1 = Buffer.concat([Buffer.from('email\njos'), Buffer.from([0xe9]), Buffer.from('@example.com\nok@example.com\n')]);
    const col = await readIdentifierColumn(await file(latin1), { column: 'email', type: 'email' });
    expect(col.rejected).toEqual([{ line: 2, code: 'ENCODING_INVALID', reason: expect.stringContaining('UTF-8') }]);
    expect(col.lines).toEqual([3]);
  });

  it('reads UTF-16LE files that start with a byte-order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\r\nJosé@example.com\r\n', 'utf16le')]);
    const col = await readIdentifierColumn(await file(utf16), { column: 'email', type: 'email' });
    expect(col.items).toEqual([psiItem('email', 'josé@example.com')]);
  });

  it('reports a quoted field that is never closed and keeps the rows before it', async () => {
    const col = await readIdentifierColumn(await file('email\na@example.com\n"b@example.com\nc@example.com\n'), {
      column: 'email',
      type: 'email',
    });
    expect(col.lines).toEqual([2]);
    expect(col.rejected).toEqual([{ line: 3, code: 'CSV_QUOTE_NOT_CLOSED', reason: expect.any(String) }]);
  });

  it('takes pre-hashed and raw columns', async () => {
    const hex = hashIdentifier('+16505551212');
    const path = await file(`h,id\n${hex.toUpperCase()},  A-1 \nnot-a-hash,B-2\n`);
    const hashed = await readIdentifierColumn(path, { column: 'h', type: 'sha256', hashOf: 'phone' });
    expect(hashed.items).toEqual([psiItem('phone', '+1 650 555 1212', { profile: 'google' })]);
    expect(hashed.rejected.map((r) => r.code)).toEqual(['SHA256_INVALID']);
    const raw = await readIdentifierColumn(path, { column: 'id', type: 'raw' });
    expect(raw.items.map((b) => new TextDecoder().decode(b))).toEqual(['A-1', 'B-2']);
  });

  it('reads several typed columns, one item per non-empty cell', async () => {
    const col = await readIdentifierColumn(await file(crm), {
      columns: [
        { name: 'email', type: 'email' },
        { name: 'phone', type: 'phone' },
      ],
    });
    expect(col.lines).toEqual([2, 2, 3, 6, 10, 10]);
    expect(col.items[1]).toEqual(psiItem('phone', '+16505551212'));
    expect(col.rejected.map((r) => [r.line, r.code])).toEqual([
      [7, 'EMAIL_INVALID'],
      [7, 'PHONE_INVALID'],
      [8, 'CSV_RAGGED'],
      [9, 'CSV_RAGGED'],
    ]);
    const empty = await readIdentifierColumn(await file('a,b\n,\n'), {
      columns: [
        { name: 'a', type: 'email' },
        { name: 'b', type: 'phone' },
      ],
    });
    expect(empty.rejected).toEqual([{ line: 2, code: 'EMPTY', reason: 'every typed column is empty' }]);
  });

  it('streams a large input and reports progress', async () => {
    const rows = 25_000;
    const source = Readable.from(
      (function* () {
        yield 'id,email\n';
        for (let i = 0; i < rows; i++) yield `${i},user${i % 20_000}@example.com\n`;
      })(),
    );
    const progress: number[] = [];
    const col = await readIdentifierColumn(source, { column: 'email', type: 'email', onProgress: (r) => progress.push(r) });
    expect(col.items).toHaveLength(rows);
    expect(col.duplicates).toBe(5_000);
    expect(col.lines[rows - 1]).toBe(rows + 1);
    expect(progress).toEqual([10_000, 20_000, 25_000]);
  });

  it('rejects bad options and unreadable input with typed errors', async () => {
    expect(await codeOf(readIdentifierColumn(join(dir, 'missing.csv'), { column: 'email', type: 'email' }))).toBe('CSV_UNREADABLE');
    expect(await codeOf(readIdentifierColumn(await file('a\n'), { column: 'a' }))).toBe('CSV_OPTIONS_INVALID');
    expect(await codeOf(readIdentifierColumn(await file('a\n'), { column: 'a', type: 'ssn' as never }))).toBe('TYPE_UNKNOWN');
    expect(await codeOf(readIdentifierColumn(await file('a\n'), { column: 'a', type: 'phone', defaultCountry: 'ZZ' }))).toBe(
      'DEFAULT_COUNTRY_INVALID',
    );
  });
});

describe('writeHashFile', () => {
  it('writes a header and one hash per distinct identifier, and reports the rest', async () => {
    const out = join(dir, 'upload.txt');
    const result = await writeHashFile(await file(crm), out, { column: 'email', type: 'email' });
    expect(result.written).toBe(2);
    expect(result.duplicates).toBe(1);
    expect(result.rejected.map((r) => [r.line, r.code])).toEqual([
      [6, 'EMPTY'],
      [7, 'EMAIL_INVALID'],
      [8, 'CSV_RAGGED'],
      [9, 'CSV_RAGGED'],
    ]);
    expect(await readFile(out, 'utf8')).toBe(`email_sha256\n${hashIdentifier('jane@example.com')}\n${hashIdentifier('bob@example.com')}\n`);
  });

  it('writes Base64 hashes for UID2', async () => {
    const out = join(dir, 'uid2.txt');
    await writeHashFile(await file('e\nJane.Saoirse@gmail.com\n'), out, {
      column: 'e',
      type: 'email',
      profile: 'uid2',
      encoding: 'base64',
    });
    expect(await readFile(out, 'utf8')).toBe('email_sha256\nku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8=\n');
  });

  it('leaves an existing output untouched and no temporary file when it fails', async () => {
    const out = join(dir, 'keep', 'upload.txt');
    await rm(join(dir, 'keep'), { recursive: true, force: true });
    await writeFile(join(dir, 'keep.csv'), 'name\nx\n');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'keep'));
    await writeFile(out, 'previous\n');
    expect(await codeOf(writeHashFile(join(dir, 'keep.csv'), out, { column: 'email', type: 'email' }))).toBe('CSV_COLUMN_MISSING');
    expect(await readFile(out, 'utf8')).toBe('previous\n');
    expect(await readdir(join(dir, 'keep'))).toEqual(['upload.txt']);
    expect(await codeOf(writeHashFile(out, out, { column: 'email', type: 'email' }))).toBe('CSV_OPTIONS_INVALID');
    expect(
      await codeOf(writeHashFile(join(dir, 'keep.csv'), join(dir, 'no', 'such', 'dir.txt'), { column: 'name', type: 'first_name' })),
    ).toBe('HASH_FILE_FAILED');
  });
});
