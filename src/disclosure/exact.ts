import { PsiError } from '../errors.js';
import type { Released } from './release.js';

/**
 * A figure given exactly, under exact disclosure (`disclosure: 'exact'`): the
 * shape of {@link Released} with no noise, `epsilon: null` (no differential
 * privacy at all, not "perfect" privacy) and a zero-width interval.
 *
 * @example
 * ```ts
 * const figure: ExactFigure = { value: 2500, note: 'exact (no noise: disclosure exact)', epsilon: null, scale: 0,
 *   threshold: null, interval95: [2500, 2500] };
 * ```
 */
export interface ExactFigure {
  readonly value: number;
  readonly note: string;
  readonly epsilon: null;
  readonly scale: 0;
  readonly threshold: null;
  readonly interval95: readonly [number, number];
}

/**
 * One figure over a matched set as a report holds it: released under the
 * disclosure policy, or exact under exact disclosure.
 *
 * @example
 * ```ts
 * const shown = (f: Figure) => (f.epsilon === null ? `${f.value}` : describeReleased(f));
 * ```
 */
export type Figure = Released | ExactFigure;

/** The note every exact figure carries. */
export const EXACT_NOTE = 'exact (no noise: disclosure exact)';

/**
 * Wraps an exact integer as an {@link ExactFigure}.
 *
 * @example
 * ```ts
 * exactFigure(2500).interval95; // [2500, 2500]
 * ```
 */
export function exactFigure(value: number): ExactFigure {
  if (!Number.isSafeInteger(value)) throw new PsiError('OPTIONS_INVALID', `an exact figure must be a safe integer, got ${String(value)}`);
  return Object.freeze({
    value,
    note: EXACT_NOTE,
    epsilon: null,
    scale: 0,
    threshold: null,
    interval95: Object.freeze([value, value] as const),
  });
}
