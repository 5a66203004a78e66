/**
 * Names of the x25519 backends: `noble` (pure JS reference), `sodium` (libsodium
 * WebAssembly), `sodium-native` (libsodium's N-API binding, Node only) and
 * `webcrypto` (the platform's X25519, asynchronous).
 *
 * @example
 * ```ts
 * const name: X25519BackendName = 'sodium-native';
 * ```
 */
export type X25519BackendName = 'noble' | 'sodium' | 'sodium-native' | 'webcrypto';

/**
 * x25519 arithmetic on packed buffers, the same shape as the ristretto255
 * `Ristretto255Backend` so the chunked blinder and worker threads run it unchanged:
 * n messages are n x 64 uniform bytes (expand_message_xmd with
 * `X25519_HASH_DST`), n elements n x 32 bytes. Every backend returns the same
 * bytes and throws the same `PsiError` for the same input.
 *
 * @example
 * ```ts
 * const backend = await loadX25519Backend('auto');
 * const mine = backend.blindUniform(expandMessages(items, X25519_HASH_DST), key);
 * ```
 */
export interface X25519Backend {
  readonly name: X25519BackendName;
  readonly async?: false;
  /**
   * Hash to group from 64 uniform bytes each: two libsodium `from_uniform` maps,
   * their sum, its u-coordinate (docs/x25519.md). The identity, whose chance is
   * about 2^-250, gives u = 0.
   */
  fromUniform(uniform: Uint8Array): Uint8Array;
  /** `fromUniform` then X25519 with `key`, fused. A u = 0 element gives 32 zero bytes, which a peer refuses. */
  blindUniform(uniform: Uint8Array, key: Uint8Array): Uint8Array;
  /**
   * X25519(key, u) of each peer element (RFC 7748 §5). Throws `PsiError('POINT_INVALID')`
   * for a non-canonical u (>= p or bit 255 set) or a small-order u (all-zero output),
   * `SCALAR_INVALID` for a bad key, `PACKED_LENGTH_INVALID` for a ragged buffer.
   */
  multiply(elements: Uint8Array, key: Uint8Array): Uint8Array;
}

/**
 * The same operations for a backend that can only answer asynchronously
 * (WebCrypto). It runs on the calling thread behind an async `Blinder`
 * (`x25519Blinder`); worker threads run synchronous backends only.
 *
 * @example
 * ```ts
 * const web = await loadX25519WebCryptoBackend();
 * const out = await web.multiply(elements, key);
 * ```
 */
export interface X25519AsyncBackend {
  readonly name: X25519BackendName;
  readonly async: true;
  fromUniform(uniform: Uint8Array): Promise<Uint8Array>;
  blindUniform(uniform: Uint8Array, key: Uint8Array): Promise<Uint8Array>;
  multiply(elements: Uint8Array, key: Uint8Array): Promise<Uint8Array>;
}

/**
 * Either kind of x25519 backend.
 *
 * @example
 * ```ts
 * const out = await backend.multiply(elements, key); // await works for both kinds
 * ```
 */
export type AnyX25519Backend = X25519Backend | X25519AsyncBackend;
