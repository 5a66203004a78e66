import { PsiError } from '../errors.js';
import type { BackendName, GroupBackend } from './backend.js';
import { nobleBackend } from './noble.js';

/** What callers may ask for: a named backend, or `'auto'` for the fastest available. */
export type BackendChoice = BackendName | 'auto';

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
 * Resolves a backend by name. `'auto'` (the default) is libsodium when its WASM
 * module loads and noble otherwise; `'sodium'` rejects with
 * `PsiError('BACKEND_UNAVAILABLE')` when it cannot load.
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
    default:
      throw new PsiError('BACKEND_UNKNOWN', `unknown backend ${JSON.stringify(choice)}`);
  }
}
