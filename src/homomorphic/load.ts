import { PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import type { HomomorphicBackend } from './backend.js';
import { nobleHomomorphic } from './noble.js';

/** Imported lazily: noble-only users never download or instantiate the WASM module. */
async function loadSodium(): Promise<HomomorphicBackend> {
  let mod: typeof import('./sodium.js');
  try {
    mod = await import('./sodium.js');
  } catch (cause) {
    throw new PsiError('BACKEND_UNAVAILABLE', 'libsodium-wrappers-sumo could not be imported', { cause });
  }
  return mod.loadSodiumHomomorphic();
}

/**
 * Resolves a homomorphic backend by name, like `loadRistretto255Backend` for the group layer:
 * `'auto'` is libsodium when its WASM module loads, noble otherwise. (sodium-native has
 * no ristretto255 bindings, so there is no native backend.)
 *
 * @example
 * ```ts
 * const he = await loadHomomorphicBackend();
 * he.name; // 'sodium' in Node
 * ```
 */
export async function loadHomomorphicBackend(choice: BackendChoice = 'auto'): Promise<HomomorphicBackend> {
  switch (choice) {
    case 'noble':
      return nobleHomomorphic;
    case 'sodium':
      return loadSodium();
    case 'auto':
      return loadSodium().catch(() => nobleHomomorphic);
    default:
      throw new PsiError('BACKEND_UNKNOWN', `unknown backend ${JSON.stringify(choice)}`);
  }
}
