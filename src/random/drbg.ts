import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';
import type { ByteSource } from './source.js';

const OUT = 32; // SHA-256 output length
/** SP 800-90A caps one generate request at 2^19 bits. */
const MAX_REQUEST = 65_536;
/** SP 800-90A's reseed interval for HMAC_DRBG: after 2^48 requests a reseed is due. */
const MAX_REQUESTS = 2 ** 48;

/**
 * HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1, section 10.1.2), without
 * prediction resistance or reseeding. blindjoin uses it only as a deterministic
 * expander of a secret seed ({@link keyedSource}); it is checked against the
 * NIST CAVP vectors.
 *
 * @example
 * ```ts
 * const drbg = new HmacDrbg(entropy32, nonce16);
 * const bytes = drbg.generate(64);
 * ```
 */
export class HmacDrbg {
  #k = new Uint8Array(OUT);
  #v = new Uint8Array(OUT).fill(1);
  #requests = 0;

  constructor(entropy: Uint8Array, nonce: Uint8Array = new Uint8Array(0), personalization: Uint8Array = new Uint8Array(0)) {
    // SP 800-90A asks for at least the security strength (256 bits) of entropy.
    if (!(entropy instanceof Uint8Array) || entropy.length < OUT) {
      throw new PsiError('OPTIONS_INVALID', 'HMAC_DRBG needs at least 32 bytes of seed');
    }
    this.#update(concatBytes(entropy, nonce, personalization));
  }

  /**
   * The next `length` bytes (at most 65,536 per call, as SP 800-90A allows).
   *
   * @example
   * ```ts
   * new HmacDrbg(seed).generate(32);
   * ```
   */
  generate(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_REQUEST) {
      throw new PsiError('OPTIONS_INVALID', `HMAC_DRBG request must be 0..${MAX_REQUEST} bytes, got ${length}`);
    }
    if (this.#requests >= MAX_REQUESTS) throw new PsiError('OPTIONS_INVALID', 'HMAC_DRBG reseed interval reached');
    this.#requests++;
    const out = new Uint8Array(length);
    // K stays fixed while V is iterated: hash the key pads once, clone per block.
    const mac = hmac.create(sha256, this.#k);
    for (let at = 0; at < length; at += OUT) {
      this.#v = mac.clone().update(this.#v).digest();
      out.set(this.#v.subarray(0, Math.min(OUT, length - at)), at);
    }
    mac.destroy();
    this.#update();
    return out;
  }

  /** HMAC_DRBG_Update (SP 800-90A 10.1.2.2). */
  #update(data?: Uint8Array): void {
    this.#k = hmac(sha256, this.#k, concatBytes(this.#v, Uint8Array.of(0x00), data ?? new Uint8Array(0)));
    this.#v = hmac(sha256, this.#k, this.#v);
    if (data === undefined || data.length === 0) return;
    this.#k = hmac(sha256, this.#k, concatBytes(this.#v, Uint8Array.of(0x01), data));
    this.#v = hmac(sha256, this.#k, this.#v);
  }
}

/** Bytes asked of the DRBG at a time; the stream does not depend on how it is read. */
const BLOCK = 1024;
const DOMAIN = utf8ToBytes('blindjoin/disclosure/keyed-noise/v1');

/**
 * A deterministic byte stream for consistent answers: the same 32-byte secret
 * key and the same context give the same bytes, different contexts give
 * independent-looking bytes, and without the key the stream is unpredictable.
 *
 * The seed is HMAC-SHA-256(key, domain tag || each context chunk prefixed by
 * its 4-byte length), so chunk boundaries matter (["ab","c"] differs from
 * ["a","bc"]). The seed feeds an HMAC_DRBG that is read in 1,024-byte
 * generate calls, buffered; the bytes are a fixed stream whatever lengths the
 * caller asks for.
 *
 * The context must identify the session (token, policy, set version, hashes of
 * what the client sent), never the matched set itself: see docs/privacy.md,
 * "Consistent answers".
 *
 * @example
 * ```ts
 * const random = keyedSource(noiseKey, [utf8ToBytes(tokenId), transcriptHash]);
 * release(matched, policy, { random });
 * ```
 */
export function keyedSource(key: Uint8Array, context: readonly Uint8Array[]): ByteSource {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new PsiError('OPTIONS_INVALID', 'the noise key must be 32 bytes');
  }
  if (!Array.isArray(context) || !context.every((c) => c instanceof Uint8Array)) {
    throw new PsiError('OPTIONS_INVALID', 'the noise context must be an array of byte arrays');
  }
  const mac = hmac.create(sha256, key).update(DOMAIN).update(u32(context.length));
  for (const chunk of context) mac.update(u32(chunk.length)).update(chunk);
  const seed = mac.digest();
  const drbg = new HmacDrbg(seed);
  seed.fill(0);
  let buffer: Uint8Array = new Uint8Array(0);
  let at = 0;
  return (length: number): Uint8Array => {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new PsiError('OPTIONS_INVALID', `byte count must be a non-negative integer, got ${length}`);
    }
    // Hot path: the sampler asks for one or two bytes at a time.
    if (length <= buffer.length - at) {
      const out = buffer.slice(at, at + length);
      at += length;
      return out;
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (at === buffer.length) {
        buffer = drbg.generate(BLOCK);
        at = 0;
      }
      const take = Math.min(length - filled, buffer.length - at);
      out.set(buffer.subarray(at, at + take), filled);
      at += take;
      filled += take;
    }
    return out;
  };
}

function u32(n: number): Uint8Array {
  if (n > 0xffff_ffff) throw new PsiError('OPTIONS_INVALID', 'a noise context chunk exceeds 4 GiB');
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
