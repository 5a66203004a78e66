import { describe, expect, it } from 'vitest';
import { detectSeparator, sniffFormat, TEMPLATE_CSV } from '../../src/ui/file-format.js';
import { guessRoles } from '../../src/ui/columns.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('sniffFormat', () => {
  it('tells a workbook, UTF-8 with or without a BOM, and UTF-16 either way round', () => {
    expect(sniffFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14]))).toEqual({ kind: 'xlsx' });
    expect(sniffFormat(utf8('email\nann@example.com\n'))).toEqual({ kind: 'text', encoding: 'utf-8' });
    expect(sniffFormat(utf8('\uFEFFemail;Städte\n'))).toEqual({ kind: 'text', encoding: 'utf-8' });
    expect(sniffFormat(new Uint8Array([0xff, 0xfe, 0x65, 0x00]))).toEqual({ kind: 'text', encoding: 'utf-16le' });
    expect(sniffFormat(new Uint8Array([0xfe, 0xff, 0x00, 0x65]))).toEqual({ kind: 'text', encoding: 'utf-16be' });
    expect(sniffFormat(new Uint8Array(Buffer.from('email', 'utf16le')))).toEqual({ kind: 'text', encoding: 'utf-16le' });
  });

  it('keeps a multi-byte character cut by the end of the sample', () => {
    const bytes = utf8('name\nJosé');
    expect(sniffFormat(bytes.subarray(0, bytes.length - 1))).toEqual({ kind: 'text', encoding: 'utf-8' });
  });

  it('refuses Latin-1 text, an old .xls and binary files, saying to save as CSV UTF-8', () => {
    for (const bytes of [
      new Uint8Array(Buffer.from('Email,Stadt\nann@example.com,Köln\n', 'latin1')),
      new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]),
      new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02, 0x03]),
    ]) {
      expect(() => sniffFormat(bytes)).toThrow(
        expect.objectContaining({ code: 'INPUT_UNREADABLE', message: expect.stringContaining('CSV UTF-8') }),
      );
    }
  });
});

describe('detectSeparator', () => {
  it('finds the separator that splits every line alike, quotes respected', () => {
    expect(detectSeparator('email,phone\na@b.com,123\n')).toBe(',');
    expect(detectSeparator('E-mail;Lifetime Value ($)\na@b.com;12,50\nc@d.com;3,00\n')).toBe(';');
    expect(detectSeparator('email\tname\na@b.com\t"Lee, Ann"\n')).toBe('\t');
    expect(detectSeparator('"a;b",c\n"d;e",f\n')).toBe(',');
    expect(detectSeparator('email\nann@example.com\n')).toBe(',');
  });
});

describe('TEMPLATE_CSV', () => {
  it('is a file the page reads as it is offered: every column recognised', () => {
    const [header, ...rows] = TEMPLATE_CSV.trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(guessRoles(header!, rows)).toEqual(['email', 'phone', 'first_name', 'last_name', 'zip', 'country']);
  });
});
