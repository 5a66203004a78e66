import { randomBytes } from '@noble/hashes/utils.js';

/**
 * A uniformly random permutation of 0..n-1 from the CSPRNG (Fisher-Yates with
 * rejection sampling, so no index is favoured). Shuffles hide which of a party's
 * items sits where in the streams the peer sees. `random` replaces the CSPRNG
 * only where a test needs a reproducible transcript.
 *
 * @example
 * ```ts
 * randomPermutation(4); // e.g. Uint32Array [2, 0, 3, 1]
 * ```
 */
export function randomPermutation(n: number, random: (length: number) => Uint8Array = randomBytes): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const POOL = 1024;
  let pool: DataView = new DataView(new ArrayBuffer(0));
  let used = POOL;
  const next = (): number => {
    if (used === POOL) {
      const bytes = random(POOL * 4);
      // Little-endian on every platform, so that a seeded source gives the same permutation everywhere.
      pool = new DataView(bytes.buffer, bytes.byteOffset, POOL * 4);
      used = 0;
    }
    return pool.getUint32(4 * used++, true);
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
