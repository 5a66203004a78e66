import { IdentifierError } from './errors.js';
import { collapseSpaces, lowerUnicode } from './text.js';
import type { Profile } from './types.js';

/** Honorifics Google's Data Manager formatter removes from given names: only with their dot, as whole words. */
const PREFIXES = /(^|\s)(?:mr|mrs|ms|dr)\.(?=\s|$)/gu;
/** Suffixes Google's formatter removes from the end of family names, after a comma or a space. */
const SUFFIX = /(?:,\s*|\s+)(?:jr\.|sr\.|2nd|3rd|ii|iii|iv|v|vi|cpa|dc|dds|vm|jd|md|phd)\s?$/u;

/** Applies `step` until the text stops changing, so that normalising twice gives the same text. */
function untilStable(text: string, step: (t: string) => string): string {
  for (let next = step(text); next !== text; next = step(text)) text = next;
  return text;
}

function checkName(name: string, what: string): string {
  if (!/\p{L}/u.test(name) || /[\p{N}\p{S}]/u.test(name)) {
    throw new IdentifierError('NAME_INVALID', `${what} must consist of letters`);
  }
  return name;
}

/**
 * Normalises a first or last name. Meta (and profiles without a rule of
 * their own): lowercase in any script (accents kept, Meta's "Valéry" ->
 * "valéry"), punctuation and every space removed (`John Smith` ->
 * `johnsmith`, what Meta's parameter library computes). Google: lowercase,
 * spaces collapsed; given names lose the prefixes `mr.`, `mrs.`, `ms.`,
 * `dr.` and keep their punctuation; family names lose suffixes such as
 * `jr.`, `sr.`, `iii`, `phd` and then their punctuation. A name with digits
 * or symbols is rejected: it is a data error, not a name.
 *
 * @example
 * ```ts
 * normalizeName(' Jean-Luc Picard ', 'first_name', 'meta');     // 'jeanlucpicard'
 * normalizeName('Mrs. Jane', 'first_name', 'google');          // 'jane'
 * normalizeName("O'Brien, Jr.", 'last_name', 'google');       // 'obrien'
 * ```
 */
export function normalizeName(text: string, type: 'first_name' | 'last_name', profile: Profile): string {
  let name = lowerUnicode(text);
  if (profile !== 'google') return checkName(name.replace(/[\p{P}\s]+/gu, ''), type);
  if (type === 'first_name') {
    name = untilStable(collapseSpaces(name), (t) => collapseSpaces(t.replace(PREFIXES, '$1')));
  } else {
    // Suffixes first (their dots are part of them), then punctuation, then the
    // suffixes that punctuation removal uncovered ("J.D." -> "jd").
    const strip = (t: string): string => untilStable(t, (u) => collapseSpaces(u.replace(SUFFIX, '')));
    name = untilStable(collapseSpaces(name), (t) => strip(collapseSpaces(strip(t).replace(/\p{P}+/gu, ''))));
  }
  return checkName(name, type);
}

/**
 * Meta's name fragments: `fi` is the first character of the first name,
 * `f5first` and `f5last` the first five characters of the first and last
 * name, whatever the profile (only Meta defines these fields). As Meta's SDK
 * computes them [M5]: the text trimmed and lowercased, then cut, before and
 * instead of the name rules, so spaces and punctuation inside the first five
 * characters stay. A fragment must start with a letter (`NAME_INVALID`).
 *
 * @example
 * ```ts
 * normalizeNamePart('Mary Ann', 'f5first'); // 'mary '
 * normalizeNamePart('Mary Ann', 'fi');      // 'm'
 * ```
 */
export function normalizeNamePart(text: string, type: 'fi' | 'f5first' | 'f5last'): string {
  const part = Array.from(text.normalize('NFC').trim().toLowerCase())
    .slice(0, type === 'fi' ? 1 : 5)
    .join('');
  if (!/^\p{L}/u.test(part)) throw new IdentifierError('NAME_INVALID', `${type} must start with a letter`);
  return part;
}

/** Words Meta's parameter library maps to a gender (lowercase, letters only). */
const GENDER_WORDS: Record<'m' | 'f', readonly string[]> = {
  m: [
    'm',
    'male',
    'man',
    'boy',
    'gentleman',
    'guy',
    'sir',
    'mister',
    'mr',
    'son',
    'father',
    'dad',
    'daddy',
    'papa',
    'uncle',
    'nephew',
    'brother',
    'husband',
    'boyfriend',
    'groom',
    'widower',
    'king',
    'prince',
    'duke',
    'count',
    'emperor',
    'god',
    'lord',
    'lad',
    'fellow',
    'chap',
    'bloke',
    'dude',
    'he',
    'him',
    'his',
    'himself',
  ],
  f: [
    'f',
    'female',
    'woman',
    'girl',
    'lady',
    'miss',
    'ms',
    'mrs',
    'madam',
    'maam',
    'daughter',
    'mother',
    'mom',
    'mama',
    'mommy',
    'aunt',
    'niece',
    'sister',
    'wife',
    'girlfriend',
    'bride',
    'widow',
    'queen',
    'princess',
    'duchess',
    'countess',
    'empress',
    'goddess',
    'maiden',
    'lass',
    'gal',
    'chick',
    'dame',
    'belle',
    'she',
    'her',
    'hers',
    'herself',
  ],
};
const GENDERS = new Map<string, string>((['m', 'f'] as const).flatMap((g) => GENDER_WORDS[g].map((w) => [w, g] as [string, string])));

/**
 * Normalises gender to Meta's lowercase initial, `f` or `m`, the only two
 * values the platform accepts. The words Meta's parameter library maps are
 * accepted (`Woman`, `female`, `Male`, `boy`, `Mrs`, ...); anything else is
 * rejected.
 *
 * @example
 * ```ts
 * normalizeGender('Woman'); // 'f'
 * ```
 */
export function normalizeGender(text: string): string {
  const g = GENDERS.get(lowerUnicode(text).replace(/[^a-z]/g, ''));
  if (g === undefined) throw new IdentifierError('GENDER_INVALID', 'gender must be f or m, or a word such as female, woman, male or man');
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
      throw new IdentifierError(
        'DOB_AMBIGUOUS',
        `date of birth ${JSON.stringify(text)} reads as both month/day and day/month; write it as YYYY-MM-DD`,
      );
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

/** Each part's form on its own, its range (`to` undefined: this year) and where it sits in `YYYYMMDD`. */
const DOB_PARTS = {
  doby: { digits: /^\d{4}$/, from: 1900, to: undefined, at: 0 },
  dobm: { digits: /^\d{1,2}$/, from: 1, to: 12, at: 4 },
  dobd: { digits: /^\d{1,2}$/, from: 1, to: 31, at: 6 },
} as const;

/**
 * Meta's date-of-birth parts: `doby` (`YYYY`, 1900 to this year), `dobm`
 * (`MM`, 01 to 12) and `dobd` (`DD`, 01 to 31). A one-digit month or day
 * gets its leading zero, as Meta's SDK does. A whole date of birth (any form
 * {@link normalizeDob} reads) gives its part.
 *
 * @example
 * ```ts
 * normalizeDobPart('2', 'dobm');            // '02'
 * normalizeDobPart('1997-02-16', 'dobd');   // '16'
 * ```
 */
export function normalizeDobPart(text: string, type: 'doby' | 'dobm' | 'dobd', now: Date = new Date()): string {
  const { digits, from, to, at } = DOB_PARTS[type];
  if (!digits.test(text)) return normalizeDob(text, now).slice(at, type === 'doby' ? 4 : at + 2);
  const n = Number(text);
  const last = to ?? now.getUTCFullYear();
  if (n < from || n > last) throw new IdentifierError('DOB_INVALID', `${type} must be from ${from} to ${last}`);
  return type === 'doby' ? text : pad(n);
}
