import fc from 'fast-check';

/** The obvious join: a Set of hex strings of b, then a filter over a. */
export function referenceIntersect(a: Uint8Array, b: Uint8Array, width: number): number[] {
  const seen = new Set<string>();
  for (let j = 0; j < b.length; j += width) seen.add(Buffer.from(b.subarray(j, j + width)).toString('hex'));
  const out: number[] = [];
  for (let i = 0; i * width < a.length; i++) {
    if (seen.has(Buffer.from(a.subarray(i * width, (i + 1) * width)).toString('hex'))) out.push(i);
  }
  return out;
}

/** The obvious duplicate search: index of the first token already seen, or -1. */
export function referenceFirstDuplicate(a: Uint8Array, width: number): number {
  const seen = new Set<string>();
  for (let i = 0; i * width < a.length; i++) {
    const key = Buffer.from(a.subarray(i * width, (i + 1) * width)).toString('hex');
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return -1;
}

/** Concatenates tokens into one buffer starting `offset` bytes into a fresh ArrayBuffer. */
export function pack(tokens: Uint8Array[], width: number, offset = 0): Uint8Array {
  const out = new Uint8Array(offset + tokens.length * width).subarray(offset);
  tokens.forEach((t, i) => out.set(t, i * width));
  return out;
}

/** Random bytes from a seeded xorshift, so big cases are cheap and reproducible. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Two token lists of one width drawn partly from a shared pool, so they overlap and
 * repeat, plus byte offsets that make most buffers unaligned.
 */
export const joinCase = fc.integer({ min: 1, max: 40 }).chain((width) =>
  fc.record({
    width: fc.constant(width),
    pool: fc.array(fc.uint8Array({ minLength: width, maxLength: width }), { minLength: 1, maxLength: 24 }),
    a: fc.array(fc.oneof(fc.nat(), fc.uint8Array({ minLength: width, maxLength: width })), { maxLength: 48 }),
    b: fc.array(fc.oneof(fc.nat(), fc.uint8Array({ minLength: width, maxLength: width })), { maxLength: 48 }),
    aOffset: fc.integer({ min: 0, max: 7 }),
    bOffset: fc.integer({ min: 0, max: 7 }),
  }),
);

/** Resolves a {@link joinCase} pick list (pool indices or fresh tokens) to tokens. */
export function pick(pool: Uint8Array[], picks: (number | Uint8Array)[]): Uint8Array[] {
  return picks.map((p) => (typeof p === 'number' ? pool[p % pool.length]! : p));
}
