/**
 * One party's secret key bound to an engine that applies it to packed chunks.
 * The protocol only ever sees this interface, so the same state machine runs on
 * one thread, a worker pool or a WASM backend.
 *
 * @example
 * ```ts
 * const blinder = await createBlinder({ key: randomScalar() });
 * const mine = await blinder.blind(expandMessages(items, dst)); // H(x)^k
 * const theirs = await blinder.reblind(peerChunk);              // (H(y)^j)^k
 * await blinder.close();                                        // key zeroised
 * ```
 */
export interface Blinder {
  /** Hash-to-group of packed 64-byte uniform strings, then multiplication by the key. */
  blind(uniform: Uint8Array): Promise<Uint8Array>;
  /** Multiplies packed peer elements by the key; rejects invalid encodings with `POINT_INVALID`. */
  reblind(elements: Uint8Array): Promise<Uint8Array>;
  /** Zeroises the key wherever it was copied; the blinder is unusable afterwards. */
  close(): Promise<void>;
}
