import type { Ristretto255BackendName } from './ristretto255/backend.js';
import type { X25519BackendName } from './x25519/backend.js';

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
export type BackendChoice = Ristretto255BackendName | X25519BackendName | 'auto';
