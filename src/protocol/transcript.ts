import { sha256 } from '@noble/hashes/sha2.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { sha256Stream } from '../group/hash.js';
import type { FrameType } from '../wire/frame.js';

const utf8 = new TextEncoder();
const DOMAIN = utf8.encode('blindjoin-v1 release transcript 2');

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/**
 * Everything a peer sent that decides what a released figure counts, hashed as
 * it arrives: the key of that figure's noise (docs/privacy.md, "Consistent
 * answers"). Two parts, so that an honest repeat hashes to the same digest:
 *
 * - `sent`: every payload the peer sent of its own (handshake, its blinded set,
 *   measurement frames), in full and in the order sent, each with its type and
 *   length. A client deriving its key, dummies and order from its secret and
 *   its list sends the same bytes for the same list.
 * - `returned`: the peer's re-blinding of our own elements, in full (all 32
 *   bytes: the join compares all of them), in our canonical order.
 *
 * Any byte the peer changes changes the digest, whatever it does to the match.
 *
 * @example
 * ```ts
 * const t = new Transcript();
 * t.record('hello', helloPayload);
 * t.returnedInOrder(chunk);          // a stored set: positions are canonical
 * const digest = t.digest();         // 32 bytes
 * ```
 */
export class Transcript {
  readonly #sent = sha256Stream().update(DOMAIN);
  readonly #returned = sha256Stream();
  #canonical: Uint8Array | undefined;

  /** Adds one payload the peer sent of its own, with its frame type (not its re-blinding of ours). */
  record(type: FrameType, payload: Uint8Array): void {
    const name = utf8.encode(type);
    this.#sent.update(Uint8Array.of(name.length)).update(name).update(u32(payload.length)).update(payload);
  }

  /** Adds returned elements that arrive in canonical order already (a stored set's positions). */
  returnedInOrder(elements: Uint8Array): void {
    this.#returned.update(elements);
  }

  /**
   * Sets the whole return at once, from the peer's re-blinding `ownDouble` of
   * our elements in our sending order: `canonicalAt(p)` is the canonical slot of
   * sending position p, or -1 to leave it out (our own fresh dummies, which match nothing).
   */
  returnedWhole(ownDouble: Uint8Array, canonicalAt: (p: number) => number): void {
    const canonical = new Uint8Array(ownDouble.length);
    for (let p = 0; p < ownDouble.length / ELEMENT_BYTES; p++) {
      const slot = canonicalAt(p);
      if (slot >= 0) canonical.set(ownDouble.subarray(p * ELEMENT_BYTES, (p + 1) * ELEMENT_BYTES), slot * ELEMENT_BYTES);
    }
    this.#canonical = canonical;
  }

  /** The digest of both parts; call once, after the last frame. */
  digest(): Uint8Array {
    if (this.#canonical !== undefined) this.#returned.update(this.#canonical);
    return sha256.create().update(this.#sent.digest()).update(this.#returned.digest()).digest();
  }
}
