import { IdentifierError } from './errors.js';

const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The steps every identifier starts with: a string, well-formed Unicode, NFC
 * (so a precomposed "é" and "e" + U+0301 are the same text), trimmed, not
 * empty, and free of control characters, which no identifier has but
 * copy-pasted data often does.
 *
 * @example
 * ```ts
 * prepareText('  Mary\u00A0 ', 'first_name'); // 'Mary'
 * ```
 */
export function prepareText(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new IdentifierError('VALUE_INVALID', `${what} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  if (LONE_SURROGATE.test(value)) throw new IdentifierError('VALUE_INVALID', `${what} is not well-formed Unicode`);
  const text = value.normalize('NFC').trim();
  if (text === '') throw new IdentifierError('EMPTY', `${what} is empty`);
  if (CONTROL.test(text)) throw new IdentifierError('VALUE_INVALID', `${what} contains a control character`);
  return text;
}

/**
 * Lowercases A-Z only, as the UID2 operator and the PAIR spec do; other
 * letters keep their case.
 *
 * @example
 * ```ts
 * lowerAscii('ÉMILE@X.COM'); // 'Émile@x.com'
 * ```
 */
export function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * Locale-independent Unicode lowercase, re-composed to NFC because a few
 * lowercase mappings produce combining sequences.
 *
 * @example
 * ```ts
 * lowerUnicode('VALÉRY'); // 'valéry'
 * ```
 */
export function lowerUnicode(text: string): string {
  return text.toLowerCase().normalize('NFC');
}

/**
 * Replaces every run of whitespace with one space and trims.
 *
 * @example
 * ```ts
 * collapseSpaces(' Mary \t Ann '); // 'Mary Ann'
 * ```
 */
export function collapseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Byte length of `text` in UTF-8.
 *
 * @example
 * ```ts
 * utf8Length('é'); // 2
 * ```
 */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}
