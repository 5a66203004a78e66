import { PsiError } from '../../errors.js';
import type { AnyX25519Backend, X25519Backend, X25519BackendName } from './backend.js';
import { x25519NobleBackend } from './noble.js';

/**
 * What callers may ask for: a named x25519 backend, or `'auto'` for the fastest present.
 *
 * @example
 * ```ts
 * const choice: X25519BackendChoice = 'auto';
 * ```
 */
export type X25519BackendChoice = X25519BackendName | 'auto';

/** Imported lazily: users of another backend never load the WASM module. */
async function loadSodium(): Promise<X25519Backend> {
  let mod: typeof import('./sodium.js');
  try {
    mod = await import('./sodium.js');
  } catch (cause) {
    throw new PsiError('BACKEND_UNAVAILABLE', 'libsodium-wrappers-sumo could not be imported', { cause });
  }
  return mod.loadX25519SodiumBackend();
}

async function loadNative(): Promise<X25519Backend> {
  const mod = await import('./sodium-native.js');
  return mod.loadX25519NativeBackend();
}

async function loadWebCrypto(): Promise<AnyX25519Backend> {
  const mod = await import('./webcrypto.js');
  return mod.loadX25519WebCryptoBackend();
}

/**
 * The order `'auto'` tries, fastest first, as measured on one core in Node 20
 * (bench/primitives-suites.ts): sodium-native, libsodium WASM, WebCrypto
 * (slower than WASM in Node: two promises and a key import per element; not
 * measured in browsers), noble.
 */
const AUTO_ORDER = [loadNative, loadSodium, loadWebCrypto] as const;

/**
 * Resolves an x25519 backend by name. `'auto'` (the default) takes the first of
 * sodium-native, libsodium WASM, WebCrypto and noble that loads, so it is
 * synchronous whenever native or WASM libsodium is present. A named backend that
 * cannot load rejects with `PsiError('BACKEND_UNAVAILABLE')`, an unknown name with
 * `BACKEND_UNKNOWN`.
 *
 * @example
 * ```ts
 * const backend = await loadX25519Backend('auto');
 * backend.name; // 'sodium-native' in Node with the optional dependency installed
 * ```
 */
export async function loadX25519Backend(choice: X25519BackendChoice = 'auto'): Promise<AnyX25519Backend> {
  switch (choice) {
    case 'noble':
      return x25519NobleBackend;
    case 'sodium':
      return loadSodium();
    case 'sodium-native':
      return loadNative();
    case 'webcrypto':
      return loadWebCrypto();
    case 'auto':
      for (const load of AUTO_ORDER) {
        try {
          return await load();
        } catch {
          // not present here: try the next
        }
      }
      return x25519NobleBackend;
    default:
      throw new PsiError(
        'BACKEND_UNKNOWN',
        `unknown x25519 backend ${JSON.stringify(choice)}: use 'auto', 'sodium-native', 'sodium', 'webcrypto' or 'noble'`,
      );
  }
}

/**
 * Narrows to a synchronous backend, the kind worker threads and the chunked blinder run.
 *
 * @example
 * ```ts
 * if (isSyncX25519Backend(backend)) backend.multiply(elements, key);
 * ```
 */
export function isSyncX25519Backend(backend: AnyX25519Backend): backend is X25519Backend {
  return backend.async !== true;
}
