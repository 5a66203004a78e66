import { PsiError } from '../errors.js';

/**
 * What a party learns at the end of a session: which of its own items matched,
 * only how many, nothing, or (`'released'`) nothing cryptographically but a
 * figure the peer computes from the matched set under its disclosure policy and
 * sends in a final RELEASE frame (docs/privacy.md). Both parties always learn
 * the peer's number of distinct items, which DH-PSI cannot hide.
 *
 * @example
 * ```ts
 * const learn: Reveal = 'size';
 * ```
 */
export type Reveal = 'intersection' | 'size' | 'none' | 'released';

/** Reveal modes in wire-code order: a mode's code is its index. */
export const REVEALS: readonly Reveal[] = ['none', 'size', 'intersection', 'released'];

/**
 * Validates an untrusted reveal value (an option, a flag, a JSON field) and returns it typed.
 *
 * @example
 * ```ts
 * parseReveal('size', 'learn'); // 'size'
 * parseReveal('all', 'learn');  // throws PsiError REVEAL_INVALID
 * ```
 */
export function parseReveal(value: unknown, what: string): Reveal {
  if (typeof value === 'string' && (REVEALS as readonly string[]).includes(value)) return value as Reveal;
  throw new PsiError('REVEAL_INVALID', `${what} must be one of ${REVEALS.join(', ')}; got ${JSON.stringify(value)}`);
}

/**
 * The one-byte wire code of a reveal mode.
 *
 * @example
 * ```ts
 * revealCode('intersection'); // 2
 * ```
 */
export function revealCode(reveal: Reveal): number {
  return REVEALS.indexOf(reveal);
}

/**
 * The reveal mode of a wire code; throws `REVEAL_INVALID` for unknown codes.
 *
 * @example
 * ```ts
 * revealFromCode(1); // 'size'
 * ```
 */
export function revealFromCode(code: number): Reveal {
  const reveal = REVEALS[code];
  if (reveal === undefined) throw new PsiError('REVEAL_INVALID', `unknown reveal code ${code}`);
  return reveal;
}
