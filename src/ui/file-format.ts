import { PsiError } from '../errors.js';

/**
 * What a picked file is, judged from its first bytes: an Excel workbook
 * (.xlsx, a ZIP), text in an encoding the page reads, or something the page
 * refuses with a sentence saying what to do.
 *
 * @example
 * ```ts
 * const format: FileFormat = { kind: 'text', encoding: 'utf-8' };
 * ```
 */
export type FileFormat = { kind: 'xlsx' } | { kind: 'text'; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' };

/**
 * The field separators the page detects and offers, with their labels.
 *
 * @example
 * ```ts
 * SEPARATORS.map(([value, label]) => new Option(label, value));
 * ```
 */
export const SEPARATORS: readonly (readonly [string, string])[] = Object.freeze([
  [',', 'comma ( , )'],
  [';', 'semicolon ( ; )'],
  ['\t', 'tab'],
  ['|', 'vertical bar ( | )'],
] as const);

/** What to do with a file the page cannot read: the same advice for every such file. */
const SAVE_AS = 'In Excel or Numbers, choose File > Save As (or Export) and pick "CSV UTF-8" or "Excel Workbook (.xlsx)".';

/**
 * The format of a file from its first bytes (at least 4 KiB of them, or the
 * whole file): ZIP's `PK\x03\x04` is an .xlsx workbook; a UTF-16 byte-order
 * mark, or the zero bytes of UTF-16 text without one, is UTF-16; otherwise
 * the bytes must be UTF-8 (a UTF-8 BOM is allowed). Anything else, an old
 * binary .xls, a PDF, Latin-1 text, throws `INPUT_UNREADABLE` with a
 * sentence that says to save the file as CSV UTF-8.
 *
 * @example
 * ```ts
 * sniffFormat(new TextEncoder().encode('email\nann@example.com\n')); // { kind: 'text', encoding: 'utf-8' }
 * ```
 */
export function sniffFormat(head: Uint8Array): FileFormat {
  const [a, b, c, d] = head;
  if (a === 0x50 && b === 0x4b && c === 0x03 && d === 0x04) return { kind: 'xlsx' };
  if (a === 0xd0 && b === 0xcf && c === 0x11 && d === 0xe0) {
    throw new PsiError('INPUT_UNREADABLE', `this is an old Excel 97-2003 (.xls) file, which the page does not read. ${SAVE_AS}`);
  }
  if (a === 0xff && b === 0xfe) return { kind: 'text', encoding: 'utf-16le' };
  if (a === 0xfe && b === 0xff) return { kind: 'text', encoding: 'utf-16be' };
  // UTF-16 text saved without a byte-order mark: every other byte of ASCII text is zero.
  if (head.length >= 4 && b === 0 && d === 0 && a !== 0) return { kind: 'text', encoding: 'utf-16le' };
  if (head.length >= 4 && a === 0 && c === 0 && b !== 0) return { kind: 'text', encoding: 'utf-16be' };
  if (head.includes(0)) throw new PsiError('INPUT_UNREADABLE', `this file is not text or an Excel workbook. ${SAVE_AS}`);
  try {
    // A multi-byte character cut at the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, lastWholeUtf8(head)));
  } catch {
    throw new PsiError('INPUT_UNREADABLE', `this file's text is not UTF-8 (perhaps Windows-1252 or Mac Roman). ${SAVE_AS}`);
  }
  return { kind: 'text', encoding: 'utf-8' };
}

/** Length of `bytes` without a trailing, incomplete UTF-8 sequence. */
function lastWholeUtf8(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) !== 0x80) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return need > back ? bytes.length - back : bytes.length;
    }
  }
  return bytes.length;
}

/**
 * The field separator of CSV text: of comma, semicolon, tab and vertical bar,
 * the one that splits the first lines (outside quotes) into the same number
 * of fields, more than one, most often; comma when none does.
 *
 * @example
 * ```ts
 * detectSeparator('email;phone\nann@example.com;+33 6 12 34 56 78\n'); // ';'
 * ```
 */
export function detectSeparator(text: string): string {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .slice(0, 20);
  if (text.length > 0 && !/[\r\n]$/.test(text) && lines.length > 1) lines.pop(); // cut off mid-line
  const rows = lines.filter((l) => l.trim() !== '');
  let best = ',';
  let bestScore = 0;
  for (const [separator] of SEPARATORS) {
    const counts = rows.map((line) => fieldsOutsideQuotes(line, separator));
    const header = counts[0] ?? 1;
    if (header < 2) continue;
    // Rows as wide as the header, weighted by the width: "a;b" beats a comma inside a name.
    const score = counts.filter((n) => n === header).length * Math.log2(header);
    if (score > bestScore) {
      best = separator;
      bestScore = score;
    }
  }
  return best;
}

function fieldsOutsideQuotes(line: string, separator: string): number {
  let quoted = false;
  let fields = 1;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) fields++;
  }
  return fields;
}

/**
 * A template customer file: the header the page recognises and two made-up
 * rows, for an advertiser to fill in.
 *
 * @example
 * ```ts
 * new Blob([TEMPLATE_CSV], { type: 'text/csv' });
 * ```
 */
export const TEMPLATE_CSV =
  'email,phone,first_name,last_name,zip,country\r\n' +
  'ann@example.com,+1 650 555 0100,Ann,Lee,94043,US\r\n' +
  'bob@example.org,020 7946 0018,Bob,Smith,SW1A 1AA,GB\r\n';
