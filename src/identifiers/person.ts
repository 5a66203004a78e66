import { IdentifierError } from './errors.js';
import { collapseSpaces, lowerUnicode } from './text.js';
import type { Profile } from './types.js';

/**
 * Normalises a first or last name: lowercased (any script, accents kept, as
 * Meta's "Valéry" -> "valéry" example shows), runs of whitespace collapsed to
 * one space, and punctuation removed ("O'Brien" -> "obrien") except in
 * Google first names, for which Google publishes no punctuation rule. A name
 * with digits or symbols is rejected: it is a data error, not a name.
 *
 * @example
 * ```ts
 * normalizeName(' Jean-Luc ', 'first_name', 'meta'); // 'jeanluc'
 * ```
 */
export function normalizeName(text: string, type: 'first_name' | 'last_name', profile: Profile): string {
  let name = lowerUnicode(text);
  if (!(profile === 'google' && type === 'first_name')) name = name.replace(/\p{P}+/gu, '');
  name = collapseSpaces(name);
  if (!/\p{L}/u.test(name) || /[\p{N}\p{S}]/u.test(name)) {
    throw new IdentifierError('NAME_INVALID', `${type} must consist of letters`);
  }
  return name;
}

const GENDERS: Record<string, string> = { f: 'f', female: 'f', m: 'm', male: 'm' };

/**
 * Normalises gender to Meta's lowercase initial, `f` or `m`; the only two
 * values the platform accepts, so anything else is rejected.
 *
 * @example
 * ```ts
 * normalizeGender('Female'); // 'f'
 * ```
 */
export function normalizeGender(text: string): string {
  const g = GENDERS[lowerUnicode(text).replace(/[^a-z]/g, '')];
  if (g === undefined) throw new IdentifierError('GENDER_INVALID', 'gender must be f, female, m or male');
  return g;
}

const YMD = /^(\d{4})([-/. ]?)(\d{1,2})\2(\d{1,2})$/;
const MDY_OR_DMY = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;

function isDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Normalises a date of birth to Meta's `YYYYMMDD`. Accepts year-first dates
 * with or without separators (`1997-02-16`, `19970216`) and year-last dates
 * (`2/16/1997`, Meta's example) only when the day and month cannot be
 * confused: `03/04/1990` is March 4 in the US and April 3 elsewhere, so it is
 * rejected rather than guessed. Years from 1900 (Meta's lower bound); no
 * dates in the future.
 *
 * @example
 * ```ts
 * normalizeDob('2/16/1997'); // '19970216'
 * ```
 */
export function normalizeDob(text: string, now: Date = new Date()): string {
  let y: number;
  let m: number;
  let d: number;
  const ymd = YMD.exec(text);
  const other = MDY_OR_DMY.exec(text);
  if (ymd !== null && (ymd[2] !== '' || text.length === 8)) {
    [y, m, d] = [Number(ymd[1]), Number(ymd[3]), Number(ymd[4])];
  } else if (other !== null) {
    const [a, b] = [Number(other[1]), Number(other[3])];
    y = Number(other[4]);
    const asMdy = isDate(y, a, b);
    const asDmy = isDate(y, b, a);
    if (asMdy && asDmy && a !== b) {
      throw new IdentifierError('DOB_AMBIGUOUS', `date of birth ${JSON.stringify(text)} reads as both month/day and day/month; write it as YYYY-MM-DD`);
    }
    [m, d] = asMdy ? [a, b] : [b, a];
  } else {
    throw new IdentifierError('DOB_INVALID', 'date of birth must look like YYYY-MM-DD, YYYYMMDD or M/D/YYYY');
  }
  if (!isDate(y, m, d)) throw new IdentifierError('DOB_INVALID', `date of birth ${JSON.stringify(text)} is not a calendar date`);
  if (y < 1900 || Date.UTC(y, m - 1, d) > now.getTime()) {
    throw new IdentifierError('DOB_INVALID', 'date of birth must be between 1900-01-01 and today');
  }
  return `${y}${pad(m)}${pad(d)}`;
}
