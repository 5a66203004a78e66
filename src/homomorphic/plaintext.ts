import { numberToBytesLE } from '@noble/curves/utils.js';
import { PsiError } from '../errors.js';
import { SCALAR_BYTES } from '../group/constants.js';
import { ORDER } from './scalars.js';

/**
 * Packs signed integers as plaintext scalars (v mod ℓ, 32 bytes little-endian each),
 * refusing any value that is not an integer with |v| <= `bound`
 * (`PLAINTEXT_OUT_OF_RANGE`): the bound is what makes sums decryptable and overflow
 * detectable (see {@link sumBound}). A negative v is ℓ - |v|, so sums of signed values
 * (e.g. refunds, or noise) come out signed.
 *
 * @example
 * ```ts
 * const plaintexts = encodePlaintexts([1999n, 0n, -500n], 1_000_000n); // 96 bytes
 * ```
 */
export function encodePlaintexts(values: ArrayLike<bigint | number>, bound: bigint): Uint8Array {
  if (typeof bound !== 'bigint' || bound < 0n || bound > 2n ** 62n) {
    throw new PsiError('OPTIONS_INVALID', 'bound must be a bigint in [0, 2^62]');
  }
  const out = new Uint8Array(values.length * SCALAR_BYTES);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
    else throw new PsiError('PLAINTEXT_OUT_OF_RANGE', `value ${i} is not a (safe) integer`);
    if (v > bound || v < -bound) throw new PsiError('PLAINTEXT_OUT_OF_RANGE', `value ${i} is outside [-${bound}, ${bound}]`);
    out.set(numberToBytesLE(v < 0n ? v + ORDER : v, SCALAR_BYTES), i * SCALAR_BYTES);
  }
  return out;
}
