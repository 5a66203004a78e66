import { PsiError } from '../../errors.js';
import type { Blinder } from '../blinder.js';
import { zeroize } from '../scalar.js';
import type { AnyX25519Backend } from './backend.js';

/**
 * A `Blinder` over any x25519 backend on the calling thread, synchronous or not
 * (WebCrypto). It takes ownership of `key` and zeroises it on `close()`, after
 * which calls reject with `BLINDER_CLOSED`. WebCrypto holds its imported copy of
 * the key only for the duration of one call.
 *
 * @example
 * ```ts
 * const blinder = x25519Blinder(await loadX25519Backend('webcrypto'), randomX25519Key());
 * const mine = await blinder.blind(expandMessages(items, X25519_HASH_DST));
 * await blinder.close();
 * ```
 */
export function x25519Blinder(backend: AnyX25519Backend, key: Uint8Array): Blinder {
  let closed = false;
  const open = () => {
    if (closed) throw new PsiError('BLINDER_CLOSED', 'the blinder was closed');
  };
  return {
    blind: async (uniform) => (open(), backend.blindUniform(uniform, key)),
    reblind: async (elements) => (open(), backend.multiply(elements, key)),
    close: async () => {
      closed = true;
      zeroize(key);
    },
  };
}
