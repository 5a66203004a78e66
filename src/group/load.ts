import { PsiError } from '../errors.js';
import type { BackendName, GroupBackend } from './backend.js';
import { nobleBackend } from './noble.js';

/**
 * What callers may ask for: a named backend of either suite, or `'auto'` for the
 * fastest available for the suite. `'sodium'` and `'noble'` exist for both suites;
 * `'sodium-native'` and `'webcrypto'` for x25519 only (neither exposes ristretto255).
 *
 * @example
 * ```ts
 * const choice: BackendChoice = 'sodium-native';
 * ```
 */
export type BackendChoice = BackendName | 'sodium-native' | 'webcrypto' | 'auto';

/** Imported lazily: noble-only users never download or instantiate the WASM module. */
async function loadSodium(): Promise<GroupBackend> {
  let mod: typeof import('./sodium.js');
  try {
    mod = await import('./sodium.js');
  } catch (cause) {
    throw new PsiError('BACKEND_UNAVAILABLE', 'libsodium-wrappers-sumo could not be imported', { cause });
  }
  return mod.loadSodiumBackend();
}

/**
 * Resolves a ristretto255 backend by name. `'auto'` (the default) is libsodium when
 * its WASM module loads and noble otherwise; `'sodium'` rejects with
 * `PsiError('BACKEND_UNAVAILABLE')` when it cannot load, and so do the x25519-only
 * `'sodium-native'` and `'webcrypto'`, which have no ristretto255 arithmetic.
 *
 * @example
 * ```ts
 * const backend = await loadBackend('auto');
 * backend.name; // 'sodium', or 'noble' where WebAssembly is unavailable
 * ```
 */
export async function loadBackend(choice: BackendChoice = 'auto'): Promise<GroupBackend> {
  switch (choice) {
    case 'noble':
      return nobleBackend;
    case 'sodium':
      return loadSodium();
    case 'auto':
      return loadSodium().catch(() => nobleBackend);
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
