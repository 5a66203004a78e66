import { sha256, sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlindedCache, cacheBinding, cacheDigestKey } from '../../src/protocol/blinded-cache.js';

const POOL = 400;
/** 64-byte items, as the cache gets them (hashed). */
const pool = Array.from({ length: POOL }, (_, i) => sha512(Uint8Array.of(i & 255, i >> 8)));
const KEYS = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)].map((key) => ({
  binding: cacheBinding('ristretto255', key),
  digestKey: cacheDigestKey(key),
}));

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
const packed = (items: readonly number[]) => {
  const out = new Uint8Array(items.length * 64);
  items.forEach((x, i) => out.set(pool[x]!, i * 64));
  return out;
};

/**
 * A stand-in for blinding that differs per call and per position, so that an
 * element served from the wrong entry or a value not replaced shows.
 */
function fakeBlind(call: number, seen: Uint8Array[]): (inputs: Uint8Array) => Promise<Uint8Array> {
  return (inputs) => {
    seen.push(inputs.slice());
    const out = new Uint8Array((inputs.length / 64) * 32);
    for (let m = 0; m < inputs.length / 64; m++) {
      for (let j = 0; j < 32; j++) out[m * 32 + j] = inputs[m * 64 + j]! ^ ((call * 31 + m * 7) & 255);
    }
    return Promise.resolve(out);
  };
}

/** The reference: the cache as a Map from hex digest to element, in insertion order, and a set of used digests. */
class Model {
  binding: Uint8Array | undefined;
  entries = new Map<string, { digest: Uint8Array; element: Uint8Array }>();
  used = new Set<string>();
  hits = 0;
  misses = 0;

  async blind(items: Uint8Array, binding: Uint8Array, digestKey: Uint8Array, blind: (inputs: Uint8Array) => Promise<Uint8Array>) {
    if (this.binding === undefined || hex(this.binding) !== hex(binding)) {
      this.binding = binding;
      this.entries.clear();
      this.used.clear();
    }
    const count = items.length / 64;
    const out = new Uint8Array(count * 32);
    const missing: { i: number; digest: Uint8Array }[] = [];
    for (let i = 0; i < count; i++) {
      const digest = sha256(Uint8Array.from([...digestKey, ...items.subarray(i * 64, (i + 1) * 64)])).subarray(0, 16);
      this.used.add(hex(digest));
      const entry = this.entries.get(hex(digest));
      if (entry === undefined) missing.push({ i, digest });
      else out.set(entry.element, i * 32);
    }
    this.hits += count - missing.length;
    if (missing.length === 0) return out;
    const inputs = new Uint8Array(missing.length * 64);
    missing.forEach(({ i }, m) => inputs.set(items.subarray(i * 64, (i + 1) * 64), m * 64));
    const blinded = await blind(inputs);
    missing.forEach(({ i, digest }, m) => {
      const element = blinded.slice(m * 32, (m + 1) * 32);
      out.set(element, i * 32);
      this.entries.set(hex(digest), { digest, element });
    });
    this.misses += missing.length;
    return out;
  }

  keepUsed(): number {
    const before = this.entries.size;
    for (const key of this.entries.keys()) if (!this.used.has(key)) this.entries.delete(key);
    return before - this.entries.size;
  }

  /** The bytes of format BJBC v1 without its checksum. */
  body(): string {
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, this.entries.size);
    const entries = [...this.entries.values()].map(({ digest, element }) => hex(digest) + hex(element));
    return hex(new TextEncoder().encode('BJBC')) + '01' + hex(this.binding ?? new Uint8Array(32)) + hex(count) + entries.join('');
  }

  /** As read back from its bytes: the same entries, nothing used, no counts; no binding reads back as zeros. */
  reread(): void {
    this.binding ??= new Uint8Array(32);
    this.used.clear();
    this.hits = 0;
    this.misses = 0;
  }
}

type Op = { kind: 'blind'; key: number; items: number[] } | { kind: 'keepUsed' } | { kind: 'reread' };

const key = fc.nat(KEYS.length - 1);
/** A few items, with duplicates within a call likely; or a long run of the pool, which makes the cache grow past several rehashes. */
const items = fc.oneof(
  { arbitrary: fc.array(fc.nat(15), { maxLength: 12 }), weight: 3 },
  { arbitrary: fc.array(fc.nat(POOL - 1), { maxLength: 12 }), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.nat(POOL - 1), fc.integer({ min: 1, max: POOL }))
      .map(([from, length]) => Array.from({ length }, (_, i) => (from + i) % POOL)),
    weight: 1,
  },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('blind' as const), key: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, key), items }),
    weight: 6,
  },
  { arbitrary: fc.constant({ kind: 'keepUsed' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'reread' as const }), weight: 1 },
);

describe('a blinded cache', () => {
  it('behaves as a Map of digests over any sequence of blinding, keepUsed and reading back from its bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25, size: 'max' }), async (ops) => {
        let cache = new BlindedCache();
        const model = new Model();
        for (const [call, o] of ops.entries()) {
          if (o.kind === 'blind') {
            const { binding, digestKey } = KEYS[o.key]!;
            const seen: Uint8Array[] = [];
            const expectedSeen: Uint8Array[] = [];
            const got = await cache.blind(packed(o.items), binding, digestKey, fakeBlind(call, seen));
            const want = await model.blind(packed(o.items), binding, digestKey, fakeBlind(call, expectedSeen));
            expect(hex(got)).toBe(hex(want));
            expect(seen.map(hex)).toEqual(expectedSeen.map(hex));
          } else if (o.kind === 'keepUsed') {
            expect(cache.keepUsed()).toBe(model.keepUsed());
          } else {
            cache = BlindedCache.fromBytes(cache.toBytes());
            model.reread();
          }
          expect({ size: cache.size, hits: cache.hits, misses: cache.misses }).toEqual({
            size: model.entries.size,
            hits: model.hits,
            misses: model.misses,
          });
          const bytes = cache.toBytes();
          expect(hex(bytes.subarray(0, bytes.length - 32))).toBe(model.body());
          expect(cache.binding).toEqual(model.binding);
        }
      }),
      { numRuns: 100 },
    );
  });
});
