import { PsiError } from '../errors.js';
import type { BackendName, GroupBackend } from './backend.js';
import { nobleBackend } from './noble.js';

/** What callers may ask for: a named backend, or `'auto'` for the fastest available. */
export type BackendChoice = BackendName | 'auto';

/**
 * Resolves a backend by name.
 *
 * @example
 * ```ts
 * const backend = await loadBackend('auto');
 * backend.name; // 'noble' or 'sodium'
 * ```
 */
export async function loadBackend(choice: BackendChoice = 'auto'): Promise<GroupBackend> {
  switch (choice) {
    case 'noble':
    case 'auto':
      return nobleBackend;
    default:
      throw new PsiError('BACKEND_UNKNOWN', `unknown backend ${JSON.stringify(choice)}`);
  }
}
