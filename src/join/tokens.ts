import { PsiError } from '../errors.js';

/** Width of a ristretto255 encoding, the tokens the protocol joins on. */
const DEFAULT_TOKEN_WIDTH = 32;

/** Upper bound on `width`; keeps the per-call key schedule tiny. */
const MAX_TOKEN_WIDTH = 1024;

/**
 * Options shared by the packed-token functions.
 *
 * @example
 * ```ts
 * intersectPacked(a, b, { width: 16 });
 * ```
 */
export interface PackedOptions {
  /** Bytes per token, an integer in 1..1024; default 32. */
  width?: number;
}

/**
 * A packed run of equal-width tokens with the views the hot loops read through.
 * `words` is set only when 32-bit loads are both aligned and little-endian, so every
 * path sees the same little-endian words and hashes agree across alignments.
 * `doubles` is set when 8-byte loads are aligned and whole tokens are 8-byte multiples.
 *
 * @example
 * ```ts
 * const t = packedTokens(bytes, 32, 'a');
 * if (t.words !== null) firstWord = t.words[0];
 * ```
 */
export interface PackedTokens {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly count: number;
  readonly view: DataView;
  readonly words: Uint32Array | null;
  readonly doubles: Float64Array | null;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function invalid(message: string): PsiError {
  return new PsiError('JOIN_INPUT_INVALID', message);
}

/**
 * Reads and checks `opts.width`.
 *
 * @example
 * ```ts
 * tokenWidth(undefined); // 32
 * ```
 */
export function tokenWidth(opts: PackedOptions | undefined): number {
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw invalid('options must be an object');
  const width = opts?.width ?? DEFAULT_TOKEN_WIDTH;
  if (!Number.isInteger(width) || width < 1 || width > MAX_TOKEN_WIDTH) {
    throw invalid(`width must be an integer in 1..${MAX_TOKEN_WIDTH}; got ${typeof width === 'number' ? width : typeof width}`);
  }
  return width;
}

/**
 * Checks a packed buffer and wraps it for the join loops.
 *
 * @example
 * ```ts
 * packedTokens(new Uint8Array(64), 32, 'a').count; // 2
 * ```
 */
export function packedTokens(bytes: unknown, width: number, name: string): PackedTokens {
  if (!(bytes instanceof Uint8Array)) throw invalid(`${name} must be a Uint8Array`);
  if (bytes.length % width !== 0) {
    throw invalid(`${name} has ${bytes.length} bytes, not a multiple of the token width ${width}`);
  }
  const count = bytes.length / width;
  // Indices travel as index + 1 in Uint32Array slots.
  if (count > 0xfffffffe) throw invalid(`${name} holds too many tokens`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const aligned = LITTLE_ENDIAN && width % 4 === 0 && bytes.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2) : null;
  const doubles =
    width % 8 === 0 && bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 3) : null;
  return { bytes, width, count, view, words, doubles };
}

/**
 * Runs a join, turning the RangeError of a failed typed-array allocation (inputs too big
 * for this process's memory) into a PsiError `JOIN_INPUT_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const hits = withinMemory(() => joinTokens(ta, tb, keys));
 * ```
 */
export function withinMemory<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError) throw new PsiError('JOIN_INPUT_TOO_LARGE', 'not enough memory to join inputs this large', { cause: e });
    throw e;
  }
}

/**
 * Fresh odd multipliers for one call's hash, one per (possibly partial) word, so a peer
 * cannot precompute colliding tokens for a key it never sees.
 *
 * @example
 * ```ts
 * randomHashKeys(32).length; // 8
 * ```
 */
export function randomHashKeys(width: number): Int32Array {
  const keys = new Int32Array(Math.ceil(width / 4));
  globalThis.crypto.getRandomValues(keys);
  for (let k = 0; k < keys.length; k++) keys[k] = keys[k]! | 1;
  return keys;
}

/**
 * One xorshift-multiply-xorshift round: a multilinear sum's low bits see only the low
 * bits of the words, and slots are taken from the low bits. (A second round, as in
 * murmur3's fmix32, costs a third of the hash time and buys nothing here.)
 */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * Writes a keyed 32-bit hash of every token into `out`: a multilinear sum of the token's
 * little-endian words times `keys`, then a finaliser. Two tokens that differ in one word
 * never collide; the same value is produced whatever the buffer's alignment.
 *
 * @example
 * ```ts
 * const t = packedTokens(bytes, 32, 'a');
 * hashTokens(t, randomHashKeys(32), new Uint32Array(t.count));
 * ```
 */
export function hashTokens(t: PackedTokens, keys: Int32Array, out: Uint32Array): void {
  if (t.words !== null && t.width === 32) hashWords32(t.words, t.count, keys, out);
  else if (t.words !== null) hashWords(t.words, t.count, t.width >>> 2, keys, out);
  else hashView(t.view, t.count, t.width, keys, out);
}

function hashWords32(u: Uint32Array, count: number, keys: Int32Array, out: Uint32Array): void {
  const k0 = keys[0]!,
    k1 = keys[1]!,
    k2 = keys[2]!,
    k3 = keys[3]!;
  const k4 = keys[4]!,
    k5 = keys[5]!,
    k6 = keys[6]!,
    k7 = keys[7]!;
  for (let i = 0, o = 0; i < count; i++, o += 8) {
    const h =
      Math.imul(u[o]!, k0) +
      Math.imul(u[o + 1]!, k1) +
      (Math.imul(u[o + 2]!, k2) + Math.imul(u[o + 3]!, k3)) +
      (Math.imul(u[o + 4]!, k4) + Math.imul(u[o + 5]!, k5) + (Math.imul(u[o + 6]!, k6) + Math.imul(u[o + 7]!, k7)));
    out[i] = finish(h);
  }
}

function hashWords(u: Uint32Array, count: number, words: number, keys: Int32Array, out: Uint32Array): void {
  for (let i = 0, o = 0; i < count; i++, o += words) {
    let h = 0;
    for (let k = 0; k < words; k++) h = (h + Math.imul(u[o + k]!, keys[k]!)) | 0;
    out[i] = finish(h);
  }
}

function hashView(view: DataView, count: number, width: number, keys: Int32Array, out: Uint32Array): void {
  const words = width >>> 2;
  const tail = width & 3;
  for (let i = 0, o = 0; i < count; i++, o += width) {
    let h = 0;
    for (let k = 0; k < words; k++) h = (h + Math.imul(view.getUint32(o + 4 * k, true), keys[k]!)) | 0;
    if (tail !== 0) {
      let last = 0;
      for (let q = tail - 1; q >= 0; q--) last = (last << 8) | view.getUint8(o + 4 * words + q);
      h = (h + Math.imul(last, keys[words]!)) | 0;
    }
    out[i] = finish(h);
  }
}

/**
 * Full-width equality of token `i` of `x` and token `j` of `y` (same width).
 *
 * @example
 * ```ts
 * tokensEqual(t, 0, t, 0); // true
 * ```
 */
export function tokensEqual(x: PackedTokens, i: number, y: PackedTokens, j: number): boolean {
  const width = x.width;
  const xo = i * width;
  const yo = j * width;
  const words = width >>> 2;
  for (let k = 0; k < words; k++) {
    if (x.view.getUint32(xo + 4 * k, true) !== y.view.getUint32(yo + 4 * k, true)) return false;
  }
  for (let q = words * 4; q < width; q++) {
    if (x.bytes[xo + q] !== y.bytes[yo + q]) return false;
  }
  return true;
}

/**
 * Lexicographic byte order of token `i` of `x` and token `j` of `y`: negative, 0 or positive.
 *
 * @example
 * ```ts
 * compareTokens(t, 0, t, 1) < 0; // token 0 sorts first
 * ```
 */
export function compareTokens(x: PackedTokens, i: number, y: PackedTokens, j: number): number {
  const width = x.width;
  const xo = i * width;
  const yo = j * width;
  for (let q = 0; q < width; q++) {
    const d = x.bytes[xo + q]! - y.bytes[yo + q]!;
    if (d !== 0) return d;
  }
  return 0;
}
