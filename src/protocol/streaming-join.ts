import { sha256 } from '@noble/hashes/sha2.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';

const WORDS = ELEMENT_BYTES / 4;

/**
 * The join of a large own set, returned re-blinded chunk by chunk, against the
 * small peer set re-blinded by this party: each returned chunk is compared on
 * arrival and only matched positions are kept, so memory is the peer set's
 * size, not the own set's (a platform serving from a store).
 *
 * It also hashes what the peer returned, in position order, as the transcript
 * of a released figure needs (the same bytes `transcriptDigest` hashes in a
 * party that keeps the whole returned set). A returned element that matches a
 * peer element matched before is a duplicate the peer made up (`PEER_DUPLICATE`);
 * duplicates that match nothing cannot change a result and are not looked for.
 *
 * @example
 * ```ts
 * const join = new StreamingJoin(peerDouble, [domain, setDigest]);
 * join.add(0, returnedChunk);
 * join.positions(); // Uint32Array of matched own positions, ascending
 * ```
 */
export class StreamingJoin {
  readonly #peer: Uint32Array;
  readonly #slots: Uint32Array;
  readonly #mask: number;
  readonly #hit: Uint8Array;
  readonly #found: number[] = [];
  readonly #transcript: ReturnType<typeof sha256.create> | undefined;

  /** `peer` is the peer set re-blinded by this party; `prefix` opens the transcript, none keeps no transcript. */
  constructor(peer: Uint8Array, prefix?: readonly Uint8Array[]) {
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
    this.#transcript = prefix === undefined ? undefined : sha256.create();
    for (const part of prefix ?? []) this.#transcript!.update(part);
  }

  /** Joins the returned elements of own positions from `offset`; a refused chunk changes nothing. */
  add(offset: number, elements: Uint8Array): void {
    const words = new Uint32Array(elements.slice().buffer);
    const count = elements.length / ELEMENT_BYTES;
    const matched: number[] = [];
    const peerOf: number[] = [];
    for (let k = 0; k < count; k++) {
      const p = this.#lookup(words, k * WORDS);
      if (p === -1) continue;
      if (this.#hit[p] !== 0) {
        for (const q of peerOf) this.#hit[q] = 0; // this chunk's marks only: a refused chunk changes nothing
        throw new PsiError('PEER_DUPLICATE', `the peer returned the same element twice (element ${offset + k})`);
      }
      this.#hit[p] = 1;
      matched.push(offset + k);
      peerOf.push(p);
    }
    for (const position of matched) this.#found.push(position);
    this.#transcript?.update(prefixBytes(elements));
  }

  /** Own positions that matched, ascending. */
  positions(): Uint32Array {
    return Uint32Array.from(this.#found);
  }

  /** The transcript of everything returned; call once, after the last chunk, on a join made with a `prefix`. */
  transcript(): Uint8Array {
    if (this.#transcript === undefined) throw new PsiError('OPTIONS_INVALID', 'this join keeps no transcript');
    return this.#transcript.digest();
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

/** The first 8 bytes of each element read big-endian, as the bytes of a BigUint64Array (the transcript's encoding). */
function prefixBytes(elements: Uint8Array): Uint8Array {
  const view = new DataView(elements.buffer, elements.byteOffset, elements.byteLength);
  const out = new BigUint64Array(elements.length / ELEMENT_BYTES);
  for (let i = 0; i < out.length; i++) out[i] = view.getBigUint64(i * ELEMENT_BYTES);
  return new Uint8Array(out.buffer);
}
