import { sha256 } from '@noble/hashes/sha2.js';
import { concatParts } from '../bytes.js';
import { keyedSource } from '../random/drbg.js';

const KEY_SEED_DOMAIN = new TextEncoder().encode('blindjoin-v1 key seed');
const DUMMY_DOMAIN = new TextEncoder().encode('blindjoin-v1 dummy keys');
const ORDER_DOMAIN = new TextEncoder().encode('blindjoin-v1 sending order');

/** A source of bytes: the CSPRNG, or a deterministic stream. */
type Source = (length: number) => Uint8Array;

/**
 * Where a party's secrets come from: the session's random source, or with a
 * `keySeed` (the owner's secret) streams derived from it, so that a repeated
 * list is sent as the same bytes. The key mixes in the own set's digest with
 * `keyFromItems`; the sending order always does (another list, another order).
 * Each stream has its own domain: knowing the order says nothing of the key.
 *
 * @example
 * ```ts
 * const derive = new KeyDerivation(keySeed, true, randomBytes);
 * const key = suite.randomKey(derive.key(digest));
 * ```
 */
export class KeyDerivation {
  constructor(
    private readonly keySeed: Uint8Array | undefined,
    private readonly keyFromItems: boolean,
    private readonly random: Source,
  ) {}

  /** The secret key's source. */
  key(digest: () => Uint8Array): Source {
    return this.#derived(digest, this.keyFromItems, []);
  }

  /** The row dummies' source: drawn like the key. */
  dummies(digest: () => Uint8Array): Source {
    return this.#derived(digest, this.keyFromItems, [DUMMY_DOMAIN]);
  }

  /** The sending order's source. */
  order(digest: () => Uint8Array): Source {
    return this.#derived(digest, true, [ORDER_DOMAIN]);
  }

  #derived(digest: () => Uint8Array, withDigest: boolean, context: readonly Uint8Array[]): Source {
    if (this.keySeed === undefined) return this.random;
    const parts = [KEY_SEED_DOMAIN, this.keySeed];
    if (withDigest) parts.push(digest());
    return keyedSource(sha256(concatParts(parts)), context);
  }
}

/**
 * An order-free digest of a set of pseudorandom records: their sorted 64-bit
 * prefixes hashed. Records are hash or group outputs no one can steer, so two
 * different sets share every prefix with negligible probability.
 *
 * @example
 * ```ts
 * setDigest(packedUniformBytes, 64); // 32 bytes, the same in any order
 * ```
 */
export function setDigest(packed: Uint8Array, width: number): Uint8Array {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const sorted = new BigUint64Array(packed.length / width);
  for (let i = 0; i < sorted.length; i++) sorted[i] = view.getBigUint64(i * width);
  return sha256(new Uint8Array(sorted.sort().buffer));
}
