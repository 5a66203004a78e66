import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { ReblindMemo } from '../../src/store/reblind-memo.js';
import { withDir } from './helpers.js';

/** A stand-in for the store key's multiplication: a fixed function of each element's bytes. */
function fakeReblind(elements: Uint8Array): Uint8Array {
  const out = new Uint8Array(elements.length);
  for (let i = 0; i < elements.length; i++) out[i] = (elements[i]! * 7 + 13 + (i % 32)) & 0xff;
  return out;
}

/** `compute` that counts the elements it was asked for. */
function counting(): { compute: (missing: Uint8Array) => Promise<Uint8Array>; asked: () => number } {
  let asked = 0;
  return {
    compute: async (missing) => {
      asked += missing.length / 32;
      return fakeReblind(missing);
    },
    asked: () => asked,
  };
}

const pack = (elements: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(elements.map((e) => Buffer.from(e))));
/** Elements sharing most of their bytes (a client choosing them so), or random ones. */
const element = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.nat(255).map((b) => new Uint8Array(32).fill(7).fill(b, 31)),
);

describe('the memo of a relationship client elements re-blinded', () => {
  it('gives exactly what compute gives, and a later session computes only elements it has not seen', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(element, { maxLength: 40 }),
        fc.array(element, { maxLength: 40 }),
        fc.nat(8),
        async (first, later, chunk) => {
          await withDir(async (dir) => {
            const path = join(dir, 'memo.reblinded');
            const memo = await ReblindMemo.open(path);
            const one = counting();
            expect(await memo.reblind(pack(first), one.compute)).toEqual(fakeReblind(pack(first)));
            expect(one.asked()).toBe(first.length);
            await memo.keep(path);

            const next = await ReblindMemo.open(path);
            const two = counting();
            const seen = new Set(first.map((e) => Buffer.from(e).toString('hex')));
            const all = pack(later);
            // Sent in chunks, as a session receives them.
            const step = (chunk + 1) * 32;
            const out: Uint8Array[] = [];
            for (let at = 0; at < all.length; at += step) out.push(await next.reblind(all.subarray(at, at + step), two.compute));
            expect(pack(out)).toEqual(fakeReblind(all));
            const fresh = later.filter((e) => !seen.has(Buffer.from(e).toString('hex'))).length;
            expect(two.asked()).toBe(fresh);
            expect(next.hits).toBe(later.length - fresh);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps the latest session only, and its digest is that of its file', async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'memo.reblinded');
      const a = new Uint8Array(32).fill(1);
      const b = new Uint8Array(32).fill(2);
      const first = await ReblindMemo.open(path);
      expect(first.digest).toBeUndefined();
      await first.reblind(pack([a]), async (m) => fakeReblind(m));
      await first.keep(path);
      const second = await ReblindMemo.open(path);
      expect(second.digest).toBeDefined();
      await second.reblind(pack([b]), async (m) => fakeReblind(m));
      await second.keep(path);
      const third = await ReblindMemo.open(path);
      const calls = counting();
      await third.reblind(pack([a, b]), calls.compute);
      expect(calls.asked()).toBe(1);
      expect(third.digest).not.toEqual(second.digest);
    });
  });

  it('ignores a damaged file: every element is computed again, nothing read from it', async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'memo.reblinded');
      const elements = pack(Array.from({ length: 5 }, (_, i) => new Uint8Array(32).fill(i + 1)));
      const memo = await ReblindMemo.open(path);
      await memo.reblind(elements, async (m) => fakeReblind(m));
      await memo.keep(path);
      const bytes = await readFile(path);
      bytes[20] = bytes[20]! ^ 1;
      await writeFile(path, bytes);
      const damaged = await ReblindMemo.open(path);
      expect(damaged.digest).toBeUndefined();
      const calls = counting();
      expect(await damaged.reblind(elements, calls.compute)).toEqual(fakeReblind(elements));
      expect(calls.asked()).toBe(5);
    });
  });

  it('never records a chunk whose computation failed (an invalid element is checked again next time)', async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'memo.reblinded');
      const zero = new Uint8Array(32); // the identity's u-coordinate: X25519 refuses it
      const memo = await ReblindMemo.open(path);
      const reject = async (m: Uint8Array) =>
        m.some((_, i) => i % 32 === 0 && m.subarray(i, i + 32).every((x) => x === 0))
          ? Promise.reject(new Error('invalid'))
          : fakeReblind(m);
      await expect(memo.reblind(zero, reject)).rejects.toThrow('invalid');
      await memo.keep(path);
      const next = await ReblindMemo.open(path);
      await expect(next.reblind(zero, reject)).rejects.toThrow('invalid');
    });
  });

  it('serves real X25519 products byte for byte', async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'memo.reblinded');
      const key = x25519.utils.randomSecretKey();
      const points = Array.from({ length: 20 }, () => x25519.getPublicKey(x25519.utils.randomSecretKey()));
      const multiply = async (m: Uint8Array) =>
        pack(Array.from({ length: m.length / 32 }, (_, i) => x25519.getSharedSecret(key, m.subarray(i * 32, (i + 1) * 32))));
      const memo = await ReblindMemo.open(path);
      const expected = await memo.reblind(pack(points), multiply);
      await memo.keep(path);
      const again = await ReblindMemo.open(path);
      expect(await again.reblind(pack(points.slice().reverse()), async () => Promise.reject(new Error('not needed')))).toEqual(
        pack(Array.from({ length: 20 }, (_, i) => expected.subarray((19 - i) * 32, (20 - i) * 32))),
      );
    });
  });
});
