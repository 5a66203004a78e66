import type { X25519Backend, X25519BackendName } from './backend.js';
import { checkX25519Key } from './key.js';

/**
 * X25519 of every packed u under `key`. `strict` marks peer input: refuse bad
 * elements and zero results (`PsiError('POINT_INVALID')`); otherwise (own hash
 * output) a zero result is kept as 32 zero bytes.
 *
 * @example
 * ```ts
 * const ladder: Ladder = (elements, key, strict) => elements.slice();
 * ```
 */
export type Ladder = (elements: Uint8Array, key: Uint8Array, strict: boolean) => Uint8Array;

/**
 * Assembles a synchronous backend from its hash to group and its ladder, so that
 * every backend checks in the same order (key, then buffer length, then each
 * element) and therefore fails with the same `PsiError` on the same input.
 *
 * @example
 * ```ts
 * const backend = composeBackend('sodium-native', hashToU, ladder);
 * ```
 */
export function composeBackend(name: X25519BackendName, hashToU: (uniform: Uint8Array) => Uint8Array, ladder: Ladder): X25519Backend {
  return {
    name,
    fromUniform: hashToU,
    blindUniform(uniform, key) {
      checkX25519Key(key);
      return ladder(hashToU(uniform), key, false);
    },
    multiply(elements, key) {
      checkX25519Key(key);
      return ladder(elements, key, true);
    },
  };
}
