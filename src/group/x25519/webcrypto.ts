import { PsiError } from '../../errors.js';
import { packedCount } from '../packed.js';
import type { X25519AsyncBackend, X25519Backend } from './backend.js';
import { X25519_ELEMENT_BYTES } from './constants.js';
import { checkPeerElements, zeroResult } from './element.js';
import { checkX25519Key } from './key.js';

const E = X25519_ELEMENT_BYTES;
const ALGORITHM = { name: 'X25519' } as const;

/** PKCS #8 PrivateKeyInfo of an X25519 key (RFC 8410 §7), less the final 32 key bytes. */
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

/** Imports `key` once per call as a non-extractable CryptoKey; the PKCS #8 copy is wiped at once. */
async function importPrivate(subtle: SubtleCrypto, key: Uint8Array): Promise<CryptoKey> {
  const der = new Uint8Array(PKCS8_PREFIX.length + E);
  der.set(PKCS8_PREFIX);
  der.set(key, PKCS8_PREFIX.length);
  try {
    return await subtle.importKey('pkcs8', der, ALGORITHM, false, ['deriveBits']);
  } finally {
    der.fill(0);
  }
}

/**
 * X25519 of every u with WebCrypto. All elements of the call are in flight at
 * once: each needs an `importKey` and a `deriveBits`, both promises, and the
 * platform may spread them over its own threads (Node's libuv pool does).
 * A rejected derivation is the all-zero result (WebCrypto throws `OperationError`
 * for it, per the Secure Curves spec and RFC 7748 §6.1).
 */
async function ladder(subtle: SubtleCrypto, elements: Uint8Array, key: Uint8Array, strict: boolean): Promise<Uint8Array> {
  const n = strict ? checkPeerElements(elements) : packedCount(elements, E);
  const out = new Uint8Array(n * E);
  if (n === 0) return out;
  const privateKey = await importPrivate(subtle, key);
  const one = async (i: number): Promise<void> => {
    const u = elements.slice(i * E, (i + 1) * E);
    let bits: ArrayBuffer;
    try {
      const publicKey = await subtle.importKey('raw', u, ALGORITHM, true, []);
      bits = await subtle.deriveBits({ name: 'X25519', public: publicKey }, privateKey, 256);
    } catch (cause) {
      if (strict) throw zeroResult(i, cause);
      return; // own u = 0 (the identity's hash): zeros, as the other backends give
    }
    out.set(new Uint8Array(bits), i * E);
  };
  const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => one(i)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return out;
}

/**
 * Whether WebCrypto here does X25519: Node 20 and current browsers do; older
 * browsers lack it or throw `NotSupportedError`.
 */
async function probe(subtle: SubtleCrypto): Promise<void> {
  const key = new Uint8Array(E).fill(0x42);
  const base = new Uint8Array(E);
  base[0] = 9;
  const privateKey = await importPrivate(subtle, key);
  const publicKey = await subtle.importKey('raw', base, ALGORITHM, true, []);
  await subtle.deriveBits({ name: 'X25519', public: publicKey }, privateKey, 256);
}

/**
 * The x25519 backend on the platform's WebCrypto (`crypto.subtle`, X25519 of the
 * Secure Curves spec). WebCrypto has no Elligator 2, so hash to group runs on
 * `map` (by default the batched WebAssembly hash, else noble); only the X25519
 * multiplications are native. Asynchronous: use it through `x25519Blinder`, not
 * worker threads. Rejects with `PsiError('BACKEND_UNAVAILABLE')` when
 * `crypto.subtle` is missing or does not support X25519.
 *
 * @example
 * ```ts
 * const web = await loadX25519WebCryptoBackend();
 * const blinded = await web.blindUniform(expandMessages(items, X25519_HASH_DST), randomX25519Key());
 * ```
 */
export async function loadX25519WebCryptoBackend(map?: Pick<X25519Backend, 'fromUniform'>): Promise<X25519AsyncBackend> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new PsiError('BACKEND_UNAVAILABLE', 'WebCrypto (crypto.subtle) is not available');
  try {
    await probe(subtle);
  } catch (cause) {
    throw new PsiError('BACKEND_UNAVAILABLE', 'WebCrypto does not support X25519 here', { cause });
  }
  const mapper = map ?? (await defaultMap());
  return {
    name: 'webcrypto',
    async: true,
    fromUniform: async (uniform) => mapper.fromUniform(uniform),
    async blindUniform(uniform, key) {
      checkX25519Key(key);
      return ladder(subtle, mapper.fromUniform(uniform), key, false);
    },
    async multiply(elements, key) {
      checkX25519Key(key);
      return ladder(subtle, elements, key, true);
    },
  };
}

/** The batched WebAssembly hash where WebAssembly runs, else noble's. */
async function defaultMap(): Promise<Pick<X25519Backend, 'fromUniform'>> {
  try {
    const { loadWasmHashToU } = await import('./wasm-hash.js');
    return { fromUniform: await loadWasmHashToU() };
  } catch {
    const { x25519NobleBackend } = await import('./noble.js');
    return x25519NobleBackend;
  }
}
