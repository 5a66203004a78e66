import { PsiError } from '../../errors.js';
import { packedCount } from '../packed.js';
import type { X25519Backend } from './backend.js';
import { composeBackend } from './compose.js';
import { X25519_ELEMENT_BYTES, X25519_UNIFORM_BYTES } from './constants.js';
import { checkPeerElements, zeroResult } from './element.js';
import { edwardsToMontgomery } from './montgomery-u.js';
import { loadWasmHashToU, type HashToU } from './wasm-hash.js';

/** The three functions of sodium-native this backend calls; each throws when libsodium returns -1. */
interface SodiumNative {
  crypto_core_ed25519_from_uniform(p: Uint8Array, r: Uint8Array): void;
  crypto_core_ed25519_add(r: Uint8Array, p: Uint8Array, q: Uint8Array): void;
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
}

const E = X25519_ELEMENT_BYTES;
const U = X25519_UNIFORM_BYTES;

/**
 * The hash to group on libsodium's own functions, one crossing into native code
 * per map and per sum: about 4x the WebAssembly module's CPU time, used only
 * where WebAssembly does not load.
 */
function nativeHashToU(na: SodiumNative): HashToU {
  const left = new Uint8Array(E);
  const right = new Uint8Array(E);
  return (uniform) => {
    const n = packedCount(uniform, U);
    const points = new Uint8Array(n * E);
    for (let i = 0; i < n; i++) {
      const at = i * U;
      na.crypto_core_ed25519_from_uniform(left, uniform.subarray(at, at + U / 2));
      na.crypto_core_ed25519_from_uniform(right, uniform.subarray(at + U / 2, at + U));
      na.crypto_core_ed25519_add(points.subarray(i * E, (i + 1) * E), left, right);
    }
    return edwardsToMontgomery(points);
  };
}

function makeBackend(na: SodiumNative, hashToU: HashToU): X25519Backend {
  function ladder(elements: Uint8Array, key: Uint8Array, strict: boolean): Uint8Array {
    const n = strict ? checkPeerElements(elements) : packedCount(elements, E);
    const out = new Uint8Array(n * E);
    for (let i = 0; i < n; i++) {
      try {
        // libsodium's crypto_scalarmult: clamps the key, fails on an all-zero result (RFC 7748 §6.1).
        na.crypto_scalarmult(out.subarray(i * E, (i + 1) * E), key, elements.subarray(i * E, (i + 1) * E));
      } catch (cause) {
        if (strict) throw zeroResult(i, cause);
        out.fill(0, i * E, (i + 1) * E); // own u = 0 (the identity's hash): zeros, as the other backends give
      }
    }
    return out;
  }

  return composeBackend('sodium-native', hashToU, ladder);
}

let loaded: Promise<X25519Backend> | undefined;

/**
 * The fastest x25519 backend: sodium-native, libsodium's prebuilt N-API binding
 * (an optional dependency; Node only). It is required through `createRequire`
 * reached via `process.getBuiltinModule`, so browser bundles never see a `node:`
 * specifier or the package. X25519 runs natively; the hash to group runs in the
 * batched WebAssembly module (`loadWasmHashToU`), else on libsodium's maps. Rejects
 * with `PsiError('BACKEND_UNAVAILABLE')` outside Node or when the package or its
 * binary does not load.
 *
 * @example
 * ```ts
 * const backend = await loadX25519NativeBackend();
 * ```
 */
export function loadX25519NativeBackend(): Promise<X25519Backend> {
  loaded ??= load().catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}

async function load(): Promise<X25519Backend> {
  const nodeModule = globalThis.process?.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  if (nodeModule === undefined) throw new PsiError('BACKEND_UNAVAILABLE', 'sodium-native needs Node');
  let na: SodiumNative;
  try {
    na = nodeModule.createRequire(import.meta.url)('sodium-native') as SodiumNative;
  } catch (cause) {
    throw new PsiError('BACKEND_UNAVAILABLE', 'sodium-native could not be loaded', { cause });
  }
  const hashToU = await loadWasmHashToU().catch(() => nativeHashToU(na));
  return makeBackend(na, hashToU);
}
