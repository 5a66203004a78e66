/**
 * The shapes of released figures: what a RELEASE or AGGREGATES frame carries and
 * a report holds. The disclosure layer makes them (`release`, `exactFigure`);
 * the wire only moves them.
 * @module
 */

/**
 * A figure as the platform releases it. It holds only what may be disclosed:
 * every field is a function of the noised value and the policy, never of the
 * exact value (tests check exactly this). Made by `release()`.
 *
 * @example
 * ```ts
 * // {
 * //   value: 1500, threshold: 100, epsilon: 0.25, scale: 4,
 * //   note: 'noised with epsilon 0.25, rounded to 2 significant digits',
 * //   interval95: [1438, 1562],
 * // }
 * ```
 */
export interface Released {
  /** The released number; `null` when the noised value fell below the threshold. */
  readonly value: number | null;
  /** How it was produced, e.g. "noised with epsilon 0.25, rounded to 2 significant digits". */
  readonly note: string;
  /** Epsilon this release spent (nearest number; the note spells it exactly). */
  readonly epsilon: number;
  /** Noise scale, sensitivity/epsilon. */
  readonly scale: number;
  /** The threshold k of "fewer than k", or `null` without one. */
  readonly threshold: number | null;
  /**
   * Holds the exact value with probability at least 95% over the noise: value ±
   * (95% noise quantile + rounding slack), clamped at 0 for non-negative values.
   * Absent when the value is withheld.
   */
  readonly interval95?: readonly [number, number];
  /** With a `denominator`: the value as a whole-percent rate, PAIR-style (">85%", "<10%"). */
  readonly rate?: { readonly percent: number | null; readonly text: string };
}

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
