import { hexToBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../../errors.js';
import { packedCount } from '../packed.js';
import { X25519_ELEMENT_BYTES } from './constants.js';

/**
 * The canonical u-coordinates of the points of small order on Curve25519 (orders
 * 2, 4 and 8: the 8-torsion but the point at infinity, which has no u) and on its
 * twist (orders 2 and 4). A clamped scalar is a
 * multiple of 8, so X25519 maps exactly these inputs to the all-zero output
 * (docs/x25519.md). Little-endian, as on the wire.
 */
const SMALL_ORDER: readonly Uint8Array[] = [
  '0000000000000000000000000000000000000000000000000000000000000000', // u = 0, order 2 (curve and twist)
  '0100000000000000000000000000000000000000000000000000000000000000', // u = 1, order 4 (curve)
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', // order 8 (curve)
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', // order 8 (curve)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // u = p - 1, order 4 (twist)
].map(hexToBytes);

/** Whether the 32 bytes at `at` encode an integer >= p = 2^255 - 19 or have bit 255 set. */
function nonCanonical(bytes: Uint8Array, at: number): boolean {
  const top = bytes[at + 31]!;
  if (top & 0x80) return true;
  if (top !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (bytes[at + i] !== 0xff) return false;
  return bytes[at]! >= 0xed;
}

function smallOrder(bytes: Uint8Array, at: number): boolean {
  return SMALL_ORDER.some((s) => {
    for (let i = 0; i < X25519_ELEMENT_BYTES; i++) if (bytes[at + i] !== s[i]) return false;
    return true;
  });
}

/**
 * Checks one peer element of a packed buffer before any backend sees it, so that
 * every backend refuses the same inputs with the same error. RFC 7748 §5 tells
 * X25519 to ignore bit 255 and to accept u >= p; a peer could then send one
 * element under several encodings, so both are refused here. A small-order u
 * would give the all-zero output (RFC 7748 §6.1), refused before computing it.
 *
 * @example
 * ```ts
 * checkPeerElement(packed, 3); // throws PsiError('POINT_INVALID') naming element 3
 * ```
 */
export function checkPeerElement(packed: Uint8Array, i: number): void {
  const at = i * X25519_ELEMENT_BYTES;
  if (nonCanonical(packed, at)) {
    throw new PsiError('POINT_INVALID', `element ${i} is not a canonical x25519 u-coordinate (u >= p or bit 255 set)`);
  }
  if (smallOrder(packed, at)) {
    throw new PsiError('POINT_INVALID', `element ${i} has small order: X25519 would give all zeros`);
  }
}

/**
 * Counts the elements of a packed peer buffer and checks every one with
 * {@link checkPeerElement}, in order, before any is multiplied: the first bad
 * index is the one reported, whichever backend runs.
 *
 * @example
 * ```ts
 * const n = checkPeerElements(packed); // or PsiError('PACKED_LENGTH_INVALID' | 'POINT_INVALID')
 * ```
 */
export function checkPeerElements(packed: Uint8Array): number {
  const n = packedCount(packed, X25519_ELEMENT_BYTES);
  for (let i = 0; i < n; i++) checkPeerElement(packed, i);
  return n;
}

/**
 * The error for an all-zero X25519 result, which {@link checkPeerElement} makes
 * unreachable for peer input; kept as a second line of defence in every backend.
 *
 * @example
 * ```ts
 * if (isZero32(out, 0)) throw zeroResult(i);
 * try { derive(u); } catch (cause) { throw zeroResult(i, cause); }
 * ```
 */
export function zeroResult(i: number, cause?: unknown): PsiError {
  return new PsiError('POINT_INVALID', `element ${i} has small order: X25519 would give all zeros`, { cause });
}

/**
 * Whether the 32 bytes at `at` are all zero, in time independent of their value.
 *
 * @example
 * ```ts
 * isZero32(new Uint8Array(32), 0); // true
 * ```
 */
export function isZero32(bytes: Uint8Array, at: number): boolean {
  let acc = 0;
  for (let i = 0; i < 32; i++) acc |= bytes[at + i]!;
  return acc === 0;
}
