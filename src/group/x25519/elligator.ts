import { ed25519 } from '@noble/curves/ed25519.js';
import { FpLegendre } from '@noble/curves/abstract/modular.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { A, MASK_255 } from './constants.js';

const { Point } = ed25519;
const Fp = Point.Fp;

/**
 * An edwards25519 point of noble's.
 *
 * @example
 * ```ts
 * const p: EdwardsPoint = fromUniformNoble(new Uint8Array(32));
 * ```
 */
export type EdwardsPoint = InstanceType<typeof Point>;

/**
 * libsodium's `crypto_core_ed25519_from_uniform(r)`, byte for byte, in @noble/curves:
 *
 * 1. bit 255 of `r` is the sign wanted for the Edwards x; the other 255 bits,
 *    little-endian, are the field element t (reduced mod p, as `fe25519_frombytes` does);
 * 2. Elligator 2 (Bernstein-Hamburg-Krasnova-Lange 2013, §5.2, non-square 2):
 *    x1 = -A / (1 + 2 t^2); u = x1 if g(x1) = x1^3 + A x1^2 + x1 is a square,
 *    else u = -x1 - A (then g(u) is a square);
 * 3. to Edwards with y = (u - 1) / (u + 1) and the x of sign bit 255 (RFC 7748 §4.1):
 *    which square root libsodium takes for the Montgomery v cancels out, because it
 *    sets the sign of x last. The map is undefined at u = 0 (v = 0), which t = 0
 *    gives (-A is not a square, so u = -x1 - A = 0): libsodium's inversion of zero
 *    then yields the identity (0, 1). u = -1 lies on the twist (A - 2 is not a
 *    square), so Elligator 2 never outputs it;
 * 4. multiplied by the cofactor 8, so the point lies in the prime-order subgroup.
 *
 * @example
 * ```ts
 * fromUniformNoble(new Uint8Array(32)).is0(); // true: t = 0 gives u = 0
 * ```
 */
export function fromUniformNoble(r: Uint8Array): EdwardsPoint {
  const xSign = r[31]! >> 7;
  const t = Fp.create(bytesToNumberLE(r) & MASK_255);
  const x1 = Fp.neg(Fp.div(A, Fp.add(Fp.ONE, Fp.mul(2n, Fp.sqr(t)))));
  const gx1 = Fp.mul(x1, Fp.add(Fp.mul(x1, Fp.add(x1, A)), Fp.ONE));
  const u = FpLegendre(Fp, gx1) === -1 ? Fp.sub(Fp.neg(x1), A) : x1;
  if (u === 0n) return Point.ZERO;
  const y = Fp.div(Fp.sub(u, Fp.ONE), Fp.add(u, Fp.ONE));
  const encoded = numberToBytesLE(y, 32);
  encoded[31] = encoded[31]! | (xSign << 7);
  // Decompression finds the x of that sign (RFC 8032 §5.1.3); x != 0 here since u is neither 0 nor -1.
  return Point.fromBytes(encoded).clearCofactor();
}
