import { PsiError } from '../errors.js';
import { EXACT_NOTE, type ExactFigure } from '../wire/figure.js';

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
