/**
 * Compares `length` bytes of `a` from `aAt` with those of `b` from `bAt`, byte by byte.
 *
 * @example
 * ```ts
 * compareSpans(records, 0, queries, 32, 32); // < 0 when record 0 sorts before query 1
 * ```
 */
export function compareSpans(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): number {
  for (let k = 0; k < length; k++) {
    const d = a[aAt + k]! - b[bAt + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Compares tokens `i` and `j` of the packed `bytes` (width `width`) byte by byte.
 *
 * @example
 * ```ts
 * compareAt(bytes, 32, 0, 1); // < 0 when token 0 sorts first
 * ```
 */
export function compareAt(bytes: Uint8Array, width: number, i: number, j: number): number {
  return compareSpans(bytes, i * width, bytes, j * width, width);
}

/**
 * Indices of the packed tokens of `bytes` (each `width` bytes, at least 4) in
 * ascending byte order, ties by index. Sorts numbers made of each token's first
 * bytes and its index natively, then orders the rare runs that share those bytes
 * by comparing whole tokens: fast on pseudorandom tokens, still O(n log n)
 * comparisons on tokens chosen to share a prefix.
 *
 * @example
 * ```ts
 * byteOrder(new Uint8Array([2, 0, 0, 0, 1, 0, 0, 0]), 4); // Uint32Array [1, 0]
 * ```
 */
export function byteOrder(bytes: Uint8Array, width: number): Uint32Array {
  const count = bytes.length / width;
  const indexBits = Math.max(1, Math.ceil(Math.log2(count + 1)));
  // A double holds 53 bits exactly: the index's bits and as many of the first 32 bits of the token as fit.
  const prefixShift = 2 ** Math.max(0, 32 - (53 - indexBits));
  const indexScale = 2 ** indexBits;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * width;
    const first = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    keys[i] = Math.floor(first / prefixShift) * indexScale + i;
  }
  keys.sort();
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = keys[i]! % indexScale;
  // Runs sharing the prefix are in index order; order them by the whole token.
  for (let start = 0; start < count;) {
    const prefix = Math.floor(keys[start]! / indexScale);
    let end = start + 1;
    while (end < count && Math.floor(keys[end]! / indexScale) === prefix) end++;
    if (end - start > 1) order.subarray(start, end).sort((x, y) => compareAt(bytes, width, x, y) || x - y);
    start = end;
  }
  return order;
}
