/**
 * Names of the ristretto255 backends (and of the homomorphic layer's, on the same
 * group): `noble` (pure JS reference) and `sodium` (libsodium WebAssembly).
 *
 * @example
 * ```ts
 * const name: Ristretto255BackendName = 'sodium';
 * ```
 */
export type Ristretto255BackendName = 'noble' | 'sodium';

/**
 * ristretto255 arithmetic on packed buffers: n elements are n x 32 bytes in one
 * `Uint8Array`, the unit that is chunked, sent to workers and put on the wire.
 * Every backend must return byte-identical output for the same input.
 *
 * @example
 * ```ts
 * const backend = await loadRistretto255Backend('noble');
 * const blinded = backend.blindUniform(expandMessages(items, dst), key);
 * ```
 */
export interface Ristretto255Backend {
  readonly name: Ristretto255BackendName;
  /** RFC 9496 §4.3.4 element derivation of each 64-byte uniform string. */
  fromUniform(uniform: Uint8Array): Uint8Array;
  /** `fromUniform` then multiplication by `scalar`, fused. */
  blindUniform(uniform: Uint8Array, scalar: Uint8Array): Uint8Array;
  /**
   * Multiplies each encoded element by `scalar`. Throws `PsiError('POINT_INVALID')`
   * for a non-canonical encoding or the identity, since a peer controls the input.
   */
  multiply(elements: Uint8Array, scalar: Uint8Array): Uint8Array;
}
