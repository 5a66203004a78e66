import { InvalidArgumentError } from 'commander';
import type { BackendChoice } from '../group/load.js';
import { GROUP_NAMES, type GroupName } from '../group/suite.js';
import { PsiError } from '../errors.js';
import { integerIn } from '../validate.js';
import type { Reveal } from '../wire/reveal.js';
import type { KeyRotation } from '../service/key-rotation.js';

/** Reveal modes as the CLI spells them. */
export const REVEAL_CHOICES: readonly Reveal[] = ['intersection', 'size', 'none', 'released'];

/**
 * Group suites as the CLI spells them (`--group`).
 *
 * @example
 * ```ts
 * new Option('--group <suite>').choices(GROUP_CHOICES);
 * ```
 */
export const GROUP_CHOICES: readonly GroupName[] = GROUP_NAMES;

/**
 * Backends as the CLI spells them (`--backend`); which exist depends on `--group`.
 *
 * @example
 * ```ts
 * new Option('--backend <name>').choices(BACKEND_CHOICES);
 * ```
 */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'sodium-native', 'sodium', 'webcrypto', 'noble'];

/**
 * Parses a whole number within `[min, max]` for commander.
 *
 * @example
 * ```ts
 * new Option('--port <n>').argParser(intIn(0, 65535));
 * ```
 */
export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const text = value.replaceAll('_', '');
    try {
      if (!/^\d+$/.test(text)) throw new Error('not digits');
      return integerIn(Number(text), 'value', min, max);
    } catch {
      throw new InvalidArgumentError(`expected a whole number in ${min}..${max}`);
    }
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `90s`, `15m`, `1h` or `500ms` into milliseconds.
 *
 * @example
 * ```ts
 * parseDuration('15m'); // 900000
 * ```
 */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * UNITS[match[2]!]!;
  if (!(ms > 0)) throw new InvalidArgumentError('expected a duration such as 500ms, 90s, 15m, 1h or 1d');
  return ms;
}

/**
 * Parses `--key-rotation`: `session`, or a duration for which one precomputed key is reused.
 *
 * @example
 * ```ts
 * parseKeyRotation('1h'); // 3600000
 * ```
 */
export function parseKeyRotation(value: string): KeyRotation {
  return value === 'session' ? 'session' : parseDuration(value);
}

/**
 * Parses a positive decimal such as `0.25` for epsilon and budgets.
 *
 * @example
 * ```ts
 * parsePositiveNumber('0.25'); // 0.25
 * ```
 */
export function parsePositiveNumber(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number such as 0.25');
  return n;
}

/** Largest `--value-bound`: 2^40 (the protocol's cap on an advertiser's declared bound). */
const MAX_VALUE_BOUND = 2 ** 40;

/**
 * Parses `--values`: comma-separated column names.
 *
 * @example
 * ```ts
 * parseNameList('impressions, clicks'); // ['impressions', 'clicks']
 * ```
 */
export function parseNameList(value: string): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '') || new Set(names).size !== names.length) {
    throw new InvalidArgumentError('expected distinct column names separated by commas');
  }
  return names;
}

/**
 * Parses `--value-bound`: one bound for every value column (`1000`), or one per
 * column (`impressions=1000,clicks=50`). Each is a whole number in 1..2^40.
 *
 * @example
 * ```ts
 * parseValueBounds('impressions=1000,clicks=50'); // { impressions: 1000, clicks: 50 }
 * parseValueBounds('5000');                       // 5000
 * ```
 */
export function parseValueBounds(value: string): number | Record<string, number> {
  const bound = intIn(1, MAX_VALUE_BOUND);
  if (!value.includes('=')) return bound(value);
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [name, n, extra] = part.split('=').map((x) => x.trim());
    if (!name || n === undefined || extra !== undefined) throw new InvalidArgumentError('expected NAME=BOUND pairs separated by commas');
    out[name] = bound(n);
  }
  return out;
}

/**
 * The bound of column `name` from a parsed `--value-bound`: a per-column list
 * must name every column; without the flag, {@link DEFAULT_PLATFORM_VALUE_BOUND}
 * under a policy and no clamp under exact disclosure.
 *
 * @example
 * ```ts
 * boundOf({ clicks: 50 }, 'clicks', false); // 50
 * ```
 */
export function boundOf(bounds: number | Record<string, number> | undefined, name: string, exact: boolean): number {
  const b = typeof bounds === 'number' ? bounds : bounds?.[name];
  if (b !== undefined) return b;
  if (bounds !== undefined) throw new PsiError('OPTIONS_INVALID', `--value-bound names bounds but none for column ${name}`);
  // Without noise a clamp only distorts the sum; under a policy it is the sensitivity, so a default for counts.
  return exact ? Number.MAX_SAFE_INTEGER : DEFAULT_PLATFORM_VALUE_BOUND;
}

/**
 * A platform column's clamp per user under a policy when `--value-bound` sets
 * none: 1,000, suited to counts such as impressions and clicks (noise scale
 * 1,000/epsilon); amounts need their own bound.
 *
 * @example
 * ```ts
 * boundOf(undefined, 'clicks', false); // DEFAULT_PLATFORM_VALUE_BOUND
 * ```
 */
export const DEFAULT_PLATFORM_VALUE_BOUND = 1_000;
