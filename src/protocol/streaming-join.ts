import { ELEMENT_BYTES } from '../group/constants.js';
import { byteOrder, compareAt } from '../join/byte-order.js';

const WORDS = ELEMENT_BYTES / 4;

/**
 * The join of a large own set, returned re-blinded chunk by chunk, against the
 * small peer set re-blinded by this party: each returned chunk is compared on
 * arrival and only matched positions are kept, so memory is the peer set's
 * size, not the own set's (a platform serving from a store).
 *
 * Each peer element matches at most one returned position, the first: a return
 * repeated later (a copy the peer made up to count one person twice) is skipped,
 * exactly as a repeat that matches nothing is. Refusing only the repeats that
 * match would tell the peer which of its elements matched; finding every repeat
 * would hold the whole own set. So a repeat neither fails the session nor moves
 * a count by more than the one person it copies.
 *
 * @example
 * ```ts
 * const join = new StreamingJoin(peerDouble);
 * join.add(returnedChunk);
 * join.positions(); // Uint32Array of matched own positions, ascending
 * ```
 */
export class StreamingJoin {
  readonly #peer: Uint32Array;
  readonly #slots: Uint32Array;
  readonly #mask: number;
  readonly #hit: Uint8Array;
  readonly #found: number[] = [];
  /** Own elements joined so far: positions are counted, not taken from the peer. */
  #next = 0;

  /** `peer` is the peer set re-blinded by this party. */
  constructor(peer: Uint8Array) {
    this.#peer = new Uint32Array(peer.slice().buffer);
    const count = peer.length / ELEMENT_BYTES;
    this.#mask = 2 ** Math.ceil(Math.log2(2 * count + 2)) - 1;
    // slot -> 1 + peer index; elements are pseudorandom, so their first word is the hash.
    this.#slots = new Uint32Array(this.#mask + 1);
    this.#hit = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      let s = this.#peer[i * WORDS]! & this.#mask;
      while (this.#slots[s] !== 0) s = (s + 1) & this.#mask;
      this.#slots[s] = i + 1;
    }
  }

  /** Joins the next returned elements, in own position order. */
  add(elements: Uint8Array): void {
    const words = new Uint32Array(elements.slice().buffer);
    const count = elements.length / ELEMENT_BYTES;
    for (let k = 0; k < count; k++) {
      const p = this.#lookup(words, k * WORDS);
      if (p === -1 || this.#hit[p] !== 0) continue;
      this.#hit[p] = 1;
      this.#found.push(this.#next + k);
    }
    this.#next += count;
  }

  /**
   * The peer's distinct elements, packed in ascending byte order: what a sorted
   * kept set is searched for. All of them, whether or not they matched already,
   * so that the search's work does not depend on the matches.
   */
  peerAscending(): Uint8Array {
    const bytes = new Uint8Array(this.#peer.buffer);
    const order = byteOrder(bytes, ELEMENT_BYTES);
    const out = new Uint8Array(bytes.length);
    let count = 0;
    for (let r = 0; r < order.length; r++) {
      if (r > 0 && compareAt(bytes, ELEMENT_BYTES, order[r - 1]!, order[r]!) === 0) continue;
      out.set(bytes.subarray(order[r]! * ELEMENT_BYTES, (order[r]! + 1) * ELEMENT_BYTES), count * ELEMENT_BYTES);
      count++;
    }
    return out.slice(0, count * ELEMENT_BYTES);
  }

  /**
   * Joins the own elements after all those {@link add}ed (a relationship's kept
   * part) from matches found elsewhere: `matches` name elements of `ascending`
   * (from {@link peerAscending}) and the own position of the first own element
   * equal to each. A peer element matched already by an added element stays
   * matched there, as if the kept part had been added after.
   */
  addMatches(ascending: Uint8Array, matches: readonly { peer: number; index: number }[]): void {
    const words = new Uint32Array(ascending.slice().buffer);
    const found: number[] = [];
    for (const { peer, index } of matches) {
      const p = this.#lookup(words, peer * WORDS);
      if (p === -1 || this.#hit[p] !== 0) continue;
      this.#hit[p] = 1;
      found.push(index);
    }
    for (const index of found.sort((a, b) => a - b)) this.#found.push(index);
  }

  /** Own positions that matched, ascending. */
  positions(): Uint32Array {
    return Uint32Array.from(this.#found);
  }

  #lookup(words: Uint32Array, at: number): number {
    for (let s = words[at]! & this.#mask; ; s = (s + 1) & this.#mask) {
      const held = this.#slots[s]!;
      if (held === 0) return -1;
      const base = (held - 1) * WORDS;
      let same = true;
      for (let w = 0; w < WORDS && same; w++) same = this.#peer[base + w] === words[at + w];
      if (same) return held - 1;
    }
  }
}
