import sodium from 'libsodium-wrappers-sumo';
import { PsiError } from '../errors.js';

let loading: Promise<unknown> | undefined;

/**
 * libsodium's WASM module, loaded once per thread and shared by every backend
 * that uses it (ristretto255, the x25519 maps, ElGamal): its raw functions,
 * typed by the caller as the subset it calls. Rejects with
 * `PsiError('BACKEND_UNAVAILABLE')` when the module cannot start (and tries
 * again at the next call).
 *
 * @example
 * ```ts
 * const lib = await loadLibsodium<{ crypto_core_ristretto255_is_valid_point(p: number): number }>();
 * ```
 */
export function loadLibsodium<Raw>(): Promise<Raw> {
  loading ??= sodium.ready.then(
    () => (sodium as unknown as { libsodium: unknown }).libsodium,
    (cause: unknown) => {
      loading = undefined;
      throw new PsiError('BACKEND_UNAVAILABLE', 'libsodium failed to load', { cause });
    },
  );
  return loading as Promise<Raw>;
}
