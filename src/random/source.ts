import { randomBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';

/**
 * Where noise, derived keys and sending orders take their randomness from: a
 * function that returns `length` uniformly random bytes. Every sample drawn from
 * one (here, in `src/disclosure/` and in `src/measurement/`) is built from whole
 * bytes with integer arithmetic, never from `Math.random` or floating point, so
 * a sample is exactly as random as the bytes.
 *
 * Two sources exist: {@link cryptoSource} (the CSPRNG) and
 * {@link keyedSource} (a deterministic HMAC-DRBG stream, for consistent answers).
 *
 * @example
 * ```ts
 * const source: ByteSource = (length) => new Uint8Array(length); // all zeros: tests only
 * ```
 */
export type ByteSource = (length: number) => Uint8Array;

/**
 * The platform CSPRNG (`crypto.getRandomValues` through @noble/hashes).
 *
 * @example
 * ```ts
 * uniformBelow(6n, cryptoSource); // a fair die roll minus one
 * ```
 */
export const cryptoSource: ByteSource = (length) => randomBytes(length);

/** Below 2^48 the value of up to 6 bytes is an exact JS number: skip BigInt. */
const FAST_BYTES = 6;

/**
 * A uniform integer in [0, n), by rejection: draw just enough bytes for the bit
 * length of n - 1, clear the excess high bits, start again if the value is n or
 * more. No modulo, so no value is favoured; each try succeeds with probability
 * above 1/2.
 *
 * @example
 * ```ts
 * uniformBelow(10n, cryptoSource); // 0n..9n, each with probability 1/10
 * ```
 */
export function uniformBelow(n: bigint, random: ByteSource): bigint {
  if (typeof n !== 'bigint' || n < 1n) throw new PsiError('POLICY_INVALID', `uniformBelow: bound must be a bigint >= 1, got ${String(n)}`);
  if (n === 1n) return 0n;
  const bits = (n - 1n).toString(2).length;
  const length = Math.ceil(bits / 8);
  const topMask = 0xff >>> (length * 8 - bits);
  if (length <= FAST_BYTES) {
    const bound = Number(n);
    for (;;) {
      const b = draw(random, length);
      let x = b[0]! & topMask;
      for (let i = 1; i < length; i++) x = x * 256 + b[i]!;
      if (x < bound) return BigInt(x);
    }
  }
  for (;;) {
    const b = draw(random, length);
    let x = BigInt(b[0]! & topMask);
    for (let i = 1; i < length; i++) x = (x << 8n) | BigInt(b[i]!);
    if (x < n) return x;
  }
}

/**
 * Bernoulli(num/den): true with probability exactly num/den (0 <= num <= den).
 *
 * @example
 * ```ts
 * bernoulli(1n, 3n, cryptoSource); // true one time in three
 * ```
 */
export function bernoulli(num: bigint, den: bigint, random: ByteSource): boolean {
  if (num < 0n || den < 1n || num > den) {
    throw new PsiError('POLICY_INVALID', `bernoulli: need 0 <= num <= den, got ${num}/${den}`);
  }
  return uniformBelow(den, random) < num;
}

function draw(random: ByteSource, length: number): Uint8Array {
  const b = random(length);
  // A source that returns fewer bytes would silently bias every draw.
  if (!(b instanceof Uint8Array) || b.length !== length) {
    throw new PsiError(
      'OPTIONS_INVALID',
      `byte source returned ${b instanceof Uint8Array ? b.length : typeof b} bytes, ${length} requested`,
    );
  }
  return b;
}
