import { PsiError } from '../errors.js';

/**
 * Number of `width`-byte records in a packed buffer; throws when the buffer does not
 * split evenly, which for peer data means a truncated or padded message.
 *
 * @example
 * ```ts
 * packedCount(new Uint8Array(64), 32); // 2
 * ```
 */
export function packedCount(packed: Uint8Array, width: number): number {
  if (!(packed instanceof Uint8Array) || packed.length % width !== 0) {
    throw new PsiError('PACKED_LENGTH_INVALID', `packed buffer is not a multiple of ${width} bytes`);
  }
  return packed.length / width;
}
