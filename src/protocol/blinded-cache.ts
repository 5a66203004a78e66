import { sha256 } from '@noble/hashes/sha2.js';
import { concatParts, sameBytes } from '../bytes.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES, UNIFORM_BYTES } from '../group/constants.js';
import { prefixedDigests } from '../group/hash.js';
import { DigestTable, ENTRY_BYTES, KEY_BYTES as DIGEST_BYTES } from './digest-table.js';

const BINDING_DOMAIN = new TextEncoder().encode('blindjoin-v1 blinded cache binding');
const DIGEST_KEY_DOMAIN = new TextEncoder().encode('blindjoin-v1 blinded cache item key');
const MAGIC = new TextEncoder().encode('BJBC');
const FORMAT_VERSION = 1;
const BINDING_BYTES = 32;
const CHECKSUM_BYTES = 32;
const HEADER_BYTES = MAGIC.length + 1 + BINDING_BYTES + 4;

/**
 * What a cache's entries are valid for: a digest of the group suite and of the
 * secret key that blinded them, under its own domain (one-way: it reveals
 * neither). Entries made under another key or suite never serve.
 *
 * @example
 * ```ts
 * const binding = cacheBinding('ristretto255', key); // 32 bytes
 * ```
 */
export function cacheBinding(group: string, key: Uint8Array): Uint8Array {
  return sha256(concatParts([BINDING_DOMAIN, new TextEncoder().encode(group), new Uint8Array([0]), key]));
}

/**
 * Own blinded elements H(x)^a kept between sessions that blind under one
 * fixed key (a relationship's `keySeed`, without `keyFromItems`), so that a
 * refresh blinds only the items it has not blinded before. Owned by the
 * caller: pass the same object to each session (`PartyOptions.blindedCache`),
 * keep it across processes with {@link BlindedCache.toBytes} and
 * {@link BlindedCache.fromBytes}.
 *
 * Entries are looked up by a keyed digest of the item's hashed bytes (SHA-256
 * under a key derived from the blinding key, truncated to 16 bytes): the cache
 * holds no hashed identifier, and without the key no one can tell which item
 * an entry is. A session whose key or suite differs from the cache's binding
 * empties it first: an entry is only ever used under the key that made it.
 * Sessions send exactly the bytes they would send without a cache.
 *
 * @example
 * ```ts
 * const blindedCache = new BlindedCache();
 * await matchOverHttp({ server, items, relationship: { id: 'crm', keySeed, blindedCache } });
 * await matchOverHttp({ server, items: refreshed, relationship: { id: 'crm', keySeed, blindedCache } });
 * blindedCache.hits; // items of the refresh not blinded again
 * ```
 */
export class BlindedCache {
  #binding: Uint8Array | undefined;
  /** Entries by digest; flagged used once served or added since the cache was made or read. */
  #entries = new DigestTable();
  #hits = 0;
  #misses = 0;

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Elements served from the cache since it was made or read. */
  get hits(): number {
    return this.#hits;
  }

  /** Elements blinded and added since it was made or read. */
  get misses(): number {
    return this.#misses;
  }

  /** The binding of its entries, if it has one. */
  get binding(): Uint8Array | undefined {
    return this.#binding?.slice();
  }

  /**
   * Blinds packed 64-byte `uniform` strings as `blind` would, under the key
   * and suite of `binding`, calling `blind` only on the ones not cached
   * (packed, in order) and recording them. Another binding empties the cache.
   */
  async blind(
    uniform: Uint8Array,
    binding: Uint8Array,
    digestKey: Uint8Array,
    blind: (inputs: Uint8Array) => Promise<Uint8Array>,
  ): Promise<Uint8Array> {
    if (this.#binding === undefined || !sameBytes(this.#binding, binding)) {
      this.#binding = binding.slice();
      this.#entries.clear();
    }
    const count = uniform.length / UNIFORM_BYTES;
    const digests = prefixedDigests(digestKey, uniform, UNIFORM_BYTES, DIGEST_BYTES);
    const out = new Uint8Array(count * ELEMENT_BYTES);
    const missing: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = this.#entries.find(digests, i * DIGEST_BYTES);
      if (entry < 0) missing.push(i);
      else {
        this.#entries.markUsed(entry);
        this.#entries.copyValue(entry, out, i * ELEMENT_BYTES);
      }
    }
    this.#hits += count - missing.length;
    if (missing.length === 0) return out;
    const inputs = new Uint8Array(missing.length * UNIFORM_BYTES);
    missing.forEach((i, m) => inputs.set(uniform.subarray(i * UNIFORM_BYTES, (i + 1) * UNIFORM_BYTES), m * UNIFORM_BYTES));
    const blinded = await blind(inputs);
    // A session under another key may have rebound the cache meanwhile: then these are not its entries.
    const record = sameBytes(this.#binding, binding);
    missing.forEach((i, m) => {
      out.set(blinded.subarray(m * ELEMENT_BYTES, (m + 1) * ELEMENT_BYTES), i * ELEMENT_BYTES);
      if (record) this.#entries.markUsed(this.#entries.set(digests, i * DIGEST_BYTES, blinded, m * ELEMENT_BYTES));
    });
    this.#misses += missing.length;
    return out;
  }

  /**
   * Drops the entries no session used since the cache was made or read, so a
   * cache kept across sessions holds the items of the latest lists only.
   * Returns how many it dropped.
   */
  keepUsed(): number {
    return this.#entries.keepUsed();
  }

  /**
   * The cache as bytes: magic `BJBC`, format version, binding, entry count,
   * entries (16-byte digest, 32-byte element), then a SHA-256 checksum of all
   * that precedes it.
   */
  toBytes(): Uint8Array {
    const body = new Uint8Array(HEADER_BYTES + this.#entries.size * ENTRY_BYTES);
    body.set(MAGIC, 0);
    body[MAGIC.length] = FORMAT_VERSION;
    body.set(this.#binding ?? new Uint8Array(BINDING_BYTES), MAGIC.length + 1);
    new DataView(body.buffer).setUint32(HEADER_BYTES - 4, this.#entries.size);
    body.set(this.#entries.packed(), HEADER_BYTES);
    return concatParts([body, sha256(body)]);
  }

  /**
   * Reads bytes made by {@link BlindedCache.toBytes}; throws `CACHE_INVALID`
   * on another format version, a bad length or checksum.
   */
  static fromBytes(bytes: Uint8Array): BlindedCache {
    const invalid = (why: string) => new PsiError('CACHE_INVALID', `not a blinded cache: ${why}`);
    if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES || !sameBytes(bytes.subarray(0, MAGIC.length), MAGIC)) throw invalid('no header');
    if (bytes[MAGIC.length] !== FORMAT_VERSION) throw invalid(`format version ${bytes[MAGIC.length]}, not ${FORMAT_VERSION}`);
    const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
    const count = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(HEADER_BYTES - 4);
    if (body.length !== HEADER_BYTES + count * ENTRY_BYTES) throw invalid('truncated or overlong');
    if (!sameBytes(sha256(body), bytes.subarray(body.length))) throw invalid('checksum mismatch');
    const cache = new BlindedCache();
    cache.#binding = body.slice(MAGIC.length + 1, MAGIC.length + 1 + BINDING_BYTES);
    for (let at = HEADER_BYTES; at < body.length; at += ENTRY_BYTES) cache.#entries.set(body, at, body, at + DIGEST_BYTES);
    return cache;
  }
}

/**
 * The key of the cache's item digests, derived from the blinding key under its
 * own domain.
 *
 * @example
 * ```ts
 * const digestKey = cacheDigestKey(key); // 32 bytes
 * ```
 */
export function cacheDigestKey(key: Uint8Array): Uint8Array {
  return sha256(concatParts([DIGEST_KEY_DOMAIN, key]));
}
