import { PsiError } from '../errors.js';

/**
 * Checks what a caller passed to `step()`: a frame's bytes, or nothing (the
 * initiator's first step). Anything else (`null`, a number, a string, a plain
 * object) is refused with `FRAME_INVALID` before it is read, so that no
 * `TypeError` escapes a party whatever JavaScript hands it.
 *
 * @example
 * ```ts
 * step(incoming?: Uint8Array) { return this.enqueue(() => this.handle(stepInput(incoming))); }
 * stepInput(null); // throws PsiError FRAME_INVALID
 * ```
 */
export function stepInput(incoming: unknown): Uint8Array | undefined {
  if (incoming === undefined || incoming instanceof Uint8Array) return incoming;
  const what = incoming === null ? 'null' : typeof incoming;
  throw new PsiError('FRAME_INVALID', `step() takes a frame's bytes (a Uint8Array) or nothing, not ${what}`);
}
