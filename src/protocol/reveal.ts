import { PsiError } from '../errors.js';

/**
 * What a party learns at the end of a session: which of its own items matched,
 * only how many, or nothing. Both parties always learn the peer's number of
 * distinct items, which DH-PSI cannot hide.
 *
 * @example
 * ```ts
 * const learn: Reveal = 'size';
 * ```
 */
export type Reveal = 'intersection' | 'size' | 'none';

/** The two sides of a session: the initiator speaks first. */
export type Role = 'initiator' | 'responder';

const REVEALS: readonly Reveal[] = ['none', 'size', 'intersection'];

/**
 * Validates an untrusted reveal value (option or wire code) and returns it typed.
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

/** The one-byte wire code of a reveal mode: its index in none/size/intersection. */
export function revealCode(reveal: Reveal): number {
  return REVEALS.indexOf(reveal);
}

/** The reveal mode of a wire code; throws `REVEAL_INVALID` for unknown codes. */
export function revealFromCode(code: number): Reveal {
  const reveal = REVEALS[code];
  if (reveal === undefined) throw new PsiError('REVEAL_INVALID', `unknown reveal code ${code}`);
  return reveal;
}
