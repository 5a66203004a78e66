/**
 * Concatenates byte arrays into one new array. Takes an array rather than
 * rest arguments: the parts can be counted in millions (one per chunk a peer
 * chose to send), beyond what a spread call accepts.
 *
 * @example
 * ```ts
 * concatParts([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Whether two byte arrays hold the same bytes (not constant-time: for public data only).
 *
 * @example
 * ```ts
 * sameBytes(frame.sessionId, expected); // true or false
 * ```
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
