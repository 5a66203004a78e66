import { invert, mod } from '@noble/curves/abstract/modular.js';
import { MASK_255, P } from './constants.js';
import { readLE256, viewOf, writeLE256 } from './field-bytes.js';

/**
 * u = num_i / den_i mod p for every i with one inversion (Montgomery's trick: the
 * inverse of the running product, swept back). A zero denominator gives u = 0,
 * the value libsodium's `fe25519_invert(0) = 0` would give.
 *
 * @example
 * ```ts
 * const u = batchDivide([1n + y], [1n - y]);
 * ```
 */
export function batchDivide(num: readonly bigint[], den: readonly bigint[]): bigint[] {
  const n = den.length;
  const prefix: bigint[] = new Array<bigint>(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    const d = den[i]!;
    if (d !== 0n) acc = (acc * d) % P;
  }
  let inv = invert(acc, P);
  const out: bigint[] = new Array<bigint>(n);
  for (let i = n - 1; i >= 0; i--) {
    const d = den[i]!;
    if (d === 0n) {
      out[i] = 0n;
      continue;
    }
    out[i] = (((num[i]! * inv) % P) * prefix[i]!) % P;
    inv = (inv * d) % P;
  }
  return out;
}

/**
 * Maps packed edwards25519 encodings (RFC 8032 §5.1.2: y little-endian, bit 255
 * the sign of x) to packed Montgomery u-coordinates, u = (1 + y) / (1 - y) (the
 * birational map of RFC 7748 §4.1), with one inversion for the whole buffer
 * instead of one per point. The sign of x is dropped: P and -P share u, which
 * X25519 cannot tell apart anyway. The identity (y = 1) gives u = 0.
 * The encodings must be canonical (y < p), as libsodium and noble produce them.
 *
 * @example
 * ```ts
 * const u = edwardsToMontgomery(points); // points.length bytes
 * ```
 */
export function edwardsToMontgomery(points: Uint8Array): Uint8Array {
  const n = points.length >>> 5;
  const inView = viewOf(points);
  const num: bigint[] = new Array<bigint>(n);
  const den: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    const y = readLE256(inView, i * 32) & MASK_255;
    num[i] = y + 1n;
    den[i] = mod(1n - y, P);
  }
  return packU(batchDivide(num, den));
}

/**
 * Packs field elements as 32-byte little-endian u-coordinates.
 *
 * @example
 * ```ts
 * packU([9n]); // the X25519 base point
 * ```
 */
export function packU(us: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(us.length * 32);
  const view = viewOf(out);
  for (let i = 0; i < us.length; i++) writeLE256(view, i * 32, us[i]!);
  return out;
}
