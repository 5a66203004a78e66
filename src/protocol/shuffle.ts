import { randomBytes } from '@noble/hashes/utils.js';

/**
 * A uniformly random permutation of 0..n-1 from the CSPRNG (Fisher-Yates with
 * rejection sampling, so no index is favoured). Shuffles hide which of a party's
 * items sits where in the streams the peer sees.
 *
 * @example
 * ```ts
 * randomPermutation(4); // e.g. Uint32Array [2, 0, 3, 1]
 * ```
 */
export function randomPermutation(n: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const pool = new Uint32Array(1024);
  let used = pool.length;
  const next = (): number => {
    if (used === pool.length) {
      const bytes = randomBytes(pool.length * 4);
      pool.set(new Uint32Array(bytes.buffer, bytes.byteOffset, pool.length));
      used = 0;
    }
    return pool[used++]!;
  };
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % bound);
    let r = next();
    while (r >= limit) r = next();
    const j = r % bound;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/**
 * Gathers `width`-byte records of `packed` in the order `perm` lists them.
 *
 * @example
 * ```ts
 * permutePacked(elements, randomPermutation(count), 32);
 * ```
 */
export function permutePacked(packed: Uint8Array, perm: Uint32Array, width: number): Uint8Array {
  const out = new Uint8Array(perm.length * width);
  for (let i = 0; i < perm.length; i++) {
    const from = perm[i]! * width;
    out.set(packed.subarray(from, from + width), i * width);
  }
  return out;
}
