import { mod } from '@noble/curves/abstract/modular.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { packedCount } from '../packed.js';
import type { X25519Backend } from './backend.js';
import { composeBackend } from './compose.js';
import { P, X25519_ELEMENT_BYTES, X25519_UNIFORM_BYTES } from './constants.js';
import { fromUniformNoble } from './elligator.js';
import { checkPeerElements, zeroResult } from './element.js';
import { batchDivide, packU } from './montgomery-u.js';

const HALF = X25519_UNIFORM_BYTES / 2;

/**
 * Hash to group in noble: both maps, the sum, then u = (Z + Y) / (Z - Y) straight
 * from the projective coordinates, one inversion for the whole buffer.
 */
function hashToU(uniform: Uint8Array): Uint8Array {
  const n = packedCount(uniform, X25519_UNIFORM_BYTES);
  const num: bigint[] = new Array<bigint>(n);
  const den: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    const at = i * X25519_UNIFORM_BYTES;
    const sum = fromUniformNoble(uniform.subarray(at, at + HALF)).add(fromUniformNoble(uniform.subarray(at + HALF, at + 2 * HALF)));
    num[i] = mod(sum.Z + sum.Y, P);
    den[i] = mod(sum.Z - sum.Y, P);
  }
  return packU(batchDivide(num, den));
}

/** X25519 of each 32-byte u in `elements`; `strict` refuses (peer input) instead of writing zeros (own hash output). */
function ladder(elements: Uint8Array, key: Uint8Array, strict: boolean): Uint8Array {
  const n = strict ? checkPeerElements(elements) : packedCount(elements, X25519_ELEMENT_BYTES);
  const out = new Uint8Array(n * X25519_ELEMENT_BYTES);
  for (let i = 0; i < n; i++) {
    const at = i * X25519_ELEMENT_BYTES;
    try {
      // Clamps the key (RFC 7748 §5 decodeScalar25519) and throws on an all-zero result (§6.1).
      out.set(x25519.scalarMult(key, elements.subarray(at, at + X25519_ELEMENT_BYTES)), at);
    } catch (cause) {
      if (strict) throw zeroResult(i, cause);
      // Own elements: u = 0 only for the identity (chance ~2^-250); its output is zeros, as in libsodium.
    }
  }
  return out;
}

/**
 * The reference x25519 backend: @noble/curves, pure JS, runs everywhere. Its map
 * reproduces libsodium's `crypto_core_ed25519_from_uniform` byte for byte.
 *
 * @example
 * ```ts
 * const elements = x25519NobleBackend.blindUniform(expandMessages(items, X25519_HASH_DST), randomX25519Key());
 * ```
 */
export const x25519NobleBackend: X25519Backend = composeBackend('noble', hashToU, ladder);
