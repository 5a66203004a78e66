import { PsiError } from '../../errors.js';
import type { BackendChoice } from '../load.js';
import type { Ristretto255Backend } from './backend.js';
import { ristretto255NobleBackend } from './noble.js';

/** Imported lazily: noble-only users never download or instantiate the WASM module. */
async function loadSodium(): Promise<Ristretto255Backend> {
  let mod: typeof import('./sodium.js');
  try {
    mod = await import('./sodium.js');
  } catch (cause) {
    throw new PsiError('BACKEND_UNAVAILABLE', 'libsodium-wrappers-sumo could not be imported', { cause });
  }
  return mod.loadRistretto255SodiumBackend();
}

/**
 * Resolves a ristretto255 backend by name. `'auto'` (the default) is libsodium when
 * its WASM module loads and noble otherwise; `'sodium'` rejects with
 * `PsiError('BACKEND_UNAVAILABLE')` when it cannot load, and so do the x25519-only
 * `'sodium-native'` and `'webcrypto'`, which have no ristretto255 arithmetic.
 *
 * @example
 * ```ts
 * const backend = await loadRistretto255Backend('auto');
 * backend.name; // 'sodium', or 'noble' where WebAssembly is unavailable
 * ```
 */
export async function loadRistretto255Backend(choice: BackendChoice = 'auto'): Promise<Ristretto255Backend> {
  switch (choice) {
    case 'noble':
      return ristretto255NobleBackend;
    case 'sodium':
      return loadSodium();
    case 'auto':
      return loadSodium().catch(() => ristretto255NobleBackend);
    case 'sodium-native':
    case 'webcrypto':
      throw new PsiError(
        'BACKEND_UNAVAILABLE',
        `backend '${choice}' has no ristretto255 arithmetic: ristretto255 runs on 'sodium' or 'noble' (or use group 'x25519')`,
      );
    default:
      throw new PsiError('BACKEND_UNKNOWN', `unknown backend ${JSON.stringify(choice)}`);
  }
}
