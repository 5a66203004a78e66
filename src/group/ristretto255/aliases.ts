/**
 * The names ristretto255's backend had before the suites' names were made
 * alike (x25519's were always prefixed): kept for existing callers of
 * `blindjoin/primitives`.
 * @module
 */
import type { Ristretto255Backend, Ristretto255BackendName } from './backend.js';
import { loadRistretto255Backend } from './load.js';
import { ristretto255NobleBackend } from './noble.js';

/**
 * @deprecated The name of {@link Ristretto255BackendName}.
 *
 * @example
 * ```ts
 * const name: BackendName = 'noble';
 * ```
 */
export type BackendName = Ristretto255BackendName;

/**
 * @deprecated The name of {@link Ristretto255Backend}.
 *
 * @example
 * ```ts
 * const backend: GroupBackend = ristretto255NobleBackend;
 * ```
 */
export type GroupBackend = Ristretto255Backend;

/**
 * @deprecated The name of {@link ristretto255NobleBackend}.
 *
 * @example
 * ```ts
 * nobleBackend === ristretto255NobleBackend; // true
 * ```
 */
export const nobleBackend: Ristretto255Backend = ristretto255NobleBackend;

/**
 * @deprecated The name of {@link loadRistretto255Backend}.
 *
 * @example
 * ```ts
 * const backend = await loadBackend('auto'); // ristretto255's, as before
 * ```
 */
export const loadBackend: typeof loadRistretto255Backend = loadRistretto255Backend;
