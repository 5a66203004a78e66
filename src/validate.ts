import { PsiError } from './errors.js';

/**
 * Checks an untrusted option is an integer in `[min, max]` and returns it; throws
 * `OPTIONS_INVALID` naming the option otherwise, so that options' bounds read
 * the same wherever they are checked.
 *
 * @example
 * ```ts
 * integerIn(opts.workers, 'workers', 1, 1024); // 2
 * integerIn(0.5, 'maxSessions', 1, 100);      // throws OPTIONS_INVALID
 * ```
 */
export function integerIn(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PsiError('OPTIONS_INVALID', `${what} must be an integer in ${min}..${max}; got ${String(value)}`);
  }
  return value;
}

/**
 * {@link integerIn} for an optional value: `fallback` when it is `undefined`.
 *
 * @example
 * ```ts
 * optionalIntegerIn(opts.maxSessions, 'maxSessions', 1, 100_000, 16); // 16 when not given
 * ```
 */
export function optionalIntegerIn<T extends number | undefined>(
  value: unknown,
  what: string,
  min: number,
  max: number,
  fallback: T,
): number | T {
  return value === undefined ? fallback : integerIn(value, what, min, max);
}
