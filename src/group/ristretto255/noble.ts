import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { PsiError } from '../../errors.js';
import type { Ristretto255Backend } from './backend.js';
import { ELEMENT_BYTES, UNIFORM_BYTES } from '../constants.js';
import { packedCount } from '../packed.js';
import { scalarToBigint } from '../scalar.js';

const { Point } = ristretto255;
const derive = ristretto255_hasher.deriveToCurve!;

function decodeStrict(elements: Uint8Array, i: number) {
  const bytes = elements.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES);
  let point;
  try {
    point = Point.fromBytes(bytes);
  } catch (cause) {
    throw new PsiError('POINT_INVALID', `element ${i} is not a canonical ristretto255 encoding`, { cause });
  }
  if (point.is0()) throw new PsiError('POINT_INVALID', `element ${i} is the identity`);
  return point;
}

/**
 * The reference backend: @noble/curves, pure JS, audited, runs everywhere.
 *
 * @example
 * ```ts
 * const points = ristretto255NobleBackend.fromUniform(expandMessages([msg], dst));
 * ```
 */
export const ristretto255NobleBackend: Ristretto255Backend = {
  name: 'noble',
  fromUniform(uniform) {
    const n = packedCount(uniform, UNIFORM_BYTES);
    const out = new Uint8Array(n * ELEMENT_BYTES);
    for (let i = 0; i < n; i++) {
      const u = uniform.subarray(i * UNIFORM_BYTES, (i + 1) * UNIFORM_BYTES);
      out.set(derive(u).toBytes(), i * ELEMENT_BYTES);
    }
    return out;
  },
  blindUniform(uniform, scalar) {
    const s = scalarToBigint(scalar);
    const n = packedCount(uniform, UNIFORM_BYTES);
    const out = new Uint8Array(n * ELEMENT_BYTES);
    for (let i = 0; i < n; i++) {
      const u = uniform.subarray(i * UNIFORM_BYTES, (i + 1) * UNIFORM_BYTES);
      out.set(derive(u).multiply(s).toBytes(), i * ELEMENT_BYTES);
    }
    return out;
  },
  multiply(elements, scalar) {
    const s = scalarToBigint(scalar);
    const n = packedCount(elements, ELEMENT_BYTES);
    const out = new Uint8Array(n * ELEMENT_BYTES);
    for (let i = 0; i < n; i++) out.set(decodeStrict(elements, i).multiply(s).toBytes(), i * ELEMENT_BYTES);
    return out;
  },
};
