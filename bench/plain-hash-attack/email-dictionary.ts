import { hash } from 'node:crypto';

/**
 * Common US given names (SSA lists), lowercase.
 *
 * @example
 * ```ts
 * FIRST_NAMES[0]; // 'james'
 * ```
 */
export const FIRST_NAMES = `james mary john patricia robert jennifer michael linda william elizabeth david barbara richard susan
joseph jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty anthony margaret mark sandra donald
ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin amanda brian dorothy george melissa
timothy deborah ronald stephanie edward rebecca jason sharon jeffrey laura ryan cynthia jacob kathleen gary amy nicholas
angela eric shirley jonathan anna stephen brenda larry pamela justin emma scott nicole brandon helen benjamin samantha
samuel katherine gregory christine alexander debra frank rachel patrick carolyn raymond janet jack catherine dennis maria
jerry heather`.split(/\s+/);

/**
 * Common US surnames (Census lists), lowercase.
 *
 * @example
 * ```ts
 * LAST_NAMES[0]; // 'smith'
 * ```
 */
export const LAST_NAMES = `smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez
wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson
walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell
carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook
rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez
wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez`.split(/\s+/);

/**
 * Large free-mail domains.
 *
 * @example
 * ```ts
 * DOMAINS.includes('gmail.com'); // true
 * ```
 */
export const DOMAINS = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com'];

const BASE_PATTERNS: ((f: string, l: string) => string)[] = [
  (f, l) => `${f}.${l}`,
  (f, l) => `${f}${l}`,
  (f, l) => `${f}_${l}`,
  (f, l) => `${f[0]}${l}`,
  (f, l) => `${f[0]}.${l}`,
  (f, l) => `${f}${l[0]}`,
  (f, l) => `${f}.${l[0]}`,
  (f, l) => `${l}.${f}`,
  (f, l) => `${l}${f}`,
  (f, l) => `${l}${f[0]}`,
];
const NUMBERED_PATTERNS: ((f: string, l: string) => string)[] = [(f, l) => `${f}${l}`, (f, l) => `${f}.${l}`, (f, l) => `${f[0]}${l}`];
const YEAR_PATTERNS: ((f: string, l: string) => string)[] = [(f, l) => `${f}${l}`, (f, l) => `${f}.${l}`];
const NUMBERS = Array.from({ length: 99 }, (_, i) => String(i + 1));
const YEARS = Array.from({ length: 46 }, (_, i) => String(1960 + i));

/**
 * Every local part the dictionary derives from one first and last name:
 * 10 plain patterns, 3 patterns with 1-99 appended, 2 with a birth year.
 *
 * @example
 * ```ts
 * localParts('mary', 'smith').next().value; // 'mary.smith'
 * ```
 */
export function* localParts(f: string, l: string): Generator<string> {
  for (const p of BASE_PATTERNS) yield p(f, l);
  for (const p of NUMBERED_PATTERNS) for (const n of NUMBERS) yield p(f, l) + n;
  for (const p of YEAR_PATTERNS) for (const y of YEARS) yield p(f, l) + y;
}

/**
 * Candidates per first name: every surname, pattern and domain.
 *
 * @example
 * ```ts
 * CANDIDATES_PER_FIRST_NAME * FIRST_NAMES.length; // dictionary size
 * ```
 */
export const CANDIDATES_PER_FIRST_NAME =
  LAST_NAMES.length *
  (BASE_PATTERNS.length + NUMBERED_PATTERNS.length * NUMBERS.length + YEAR_PATTERNS.length * YEARS.length) *
  DOMAINS.length;

/**
 * A pseudo-random address and whether the dictionary covers it: with
 * probability `patterned` a name pattern, otherwise ten random characters at
 * a dictionary domain.
 *
 * @example
 * ```ts
 * syntheticEmail(Math.random, 0.7); // { email: 'mary.smith42@gmail.com', patterned: true }
 * ```
 */
export function syntheticEmail(random: () => number, patterned: number): { email: string; patterned: boolean } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const domain = pick(DOMAINS);
  if (random() >= patterned) {
    const chars = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
    return { email: `${Array.from({ length: 10 }, () => pick(chars)).join('')}@${domain}`, patterned: false };
  }
  const f = pick(FIRST_NAMES);
  const l = pick(LAST_NAMES);
  const kind = random();
  const local =
    kind < 0.5
      ? pick(BASE_PATTERNS)(f, l)
      : kind < 0.8
        ? `${pick(NUMBERED_PATTERNS)(f, l)}${pick(NUMBERS)}`
        : `${pick(YEAR_PATTERNS)(f, l)}${pick(YEARS)}`;
  return { email: `${local}@${domain}`, patterned: true };
}

/**
 * A slice of the dictionary (first names `from` to `to`) against a leaked hash list.
 *
 * @example
 * ```ts
 * const job: EmailJob = { from: 0, to: 50, targets: hashes };
 * ```
 */
export interface EmailJob {
  from: number;
  to: number;
  targets: string[];
}

/**
 * Hashes every dictionary address built from the slice's first names and
 * returns those whose SHA-256 (lowercase hex) is in the target list.
 *
 * @example
 * ```ts
 * crackEmails({ from: 0, to: FIRST_NAMES.length, targets });
 * ```
 */
export function crackEmails(job: EmailJob): { tried: number; found: string[]; seconds: number } {
  const full = new Set(job.targets);
  const words = new Set(job.targets.map((h) => Number.parseInt(h.slice(0, 8), 16) | 0));
  const found: string[] = [];
  let tried = 0;
  const start = process.hrtime.bigint();
  for (const f of FIRST_NAMES.slice(job.from, job.to)) {
    for (const l of LAST_NAMES) {
      for (const local of localParts(f, l)) {
        for (const domain of DOMAINS) {
          const email = `${local}@${domain}`;
          tried++;
          if (words.has(hash('sha256', email, 'buffer').readInt32BE(0)) && full.has(hash('sha256', email, 'hex'))) found.push(email);
        }
      }
    }
  }
  return { tried, found, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
