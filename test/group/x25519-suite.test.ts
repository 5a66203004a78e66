import { createRequire } from 'node:module';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  checkPeerElement,
  checkX25519Key,
  isSyncX25519Backend,
  loadX25519Backend,
  randomX25519Key,
  x25519Blinder,
} from '../../src/group/x25519/index.js';
import { P } from '../../src/group/x25519/constants.js';
import { chunkedBlinder } from '../../src/group/chunked-blinder.js';
import { expandMessages } from '../../src/group/hash.js';
import { HASH_TO_GROUP_DST, X25519_HASH_DST } from '../../src/protocol/version.js';
import { syncCodeOf as codeOf } from '../codes.js';

const expandX25519 = (messages: readonly string[]) => expandMessages(messages, X25519_HASH_DST);

const native = createRequire(import.meta.url)('sodium-native') as { crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const le = (n: bigint) => hex(Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n)));

describe('x25519 small-order inputs', () => {
  /** u-coordinates refused by checkPeerElement as small order, found by trying the candidates. */
  const refused = (candidates: string[]) => candidates.filter((u) => codeOf(() => checkPeerElement(hexToBytes(u), 0)) === 'POINT_INVALID');

  it('refuses exactly the u of the curve 8-torsion and the twist 4-torsion', () => {
    const Fp = ed25519.Point.Fp;
    // u = (1 + y) / (1 - y) of every 8-torsion point but the identity (which has no affine u).
    const curve = ED25519_TORSION_SUBGROUP.map((e) => ed25519.Point.fromHex(e))
      .filter((p) => !p.is0())
      .map((p) => le(Fp.div(Fp.add(1n, p.toAffine().y), Fp.sub(1n, p.toAffine().y))));
    // The twist's points of order 2 and 4: u = 0 and u = -1 (g(-1) = A - 2 is not a square).
    const twist = [le(0n), le(P - 1n)];
    const expected = new Set([...curve, ...twist]);
    expect(expected.size).toBe(5);
    expect(new Set(refused([...expected]))).toEqual(expected);
  });

  it('each of them gives the all-zero output in libsodium (which is why they are refused)', () => {
    for (const u of [
      le(0n),
      le(1n),
      le(P - 1n),
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
    ]) {
      expect(() => native.crypto_scalarmult(new Uint8Array(32), randomX25519Key(), hexToBytes(u))).toThrow();
    }
  });

  it('refuses exactly bit 255 set, u >= p and the small-order u, near p and anywhere', () => {
    const small = new Set([
      0n,
      1n,
      P - 1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
    ]);
    const near = fc.bigInt({ min: P - 2n ** 24n, max: 2n ** 255n + 2n ** 24n });
    const anywhere = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
    fc.assert(
      fc.property(fc.oneof(near, anywhere, fc.constantFrom(...small)), (u) => {
        const refused = u >= P || small.has(u);
        expect(codeOf(() => checkPeerElement(hexToBytes(le(u)), 0))).toBe(refused ? 'POINT_INVALID' : 'accepted');
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts canonical u just below p and refuses p and above', () => {
    expect(codeOf(() => checkPeerElement(hexToBytes(le(P - 2n)), 0))).toBe('accepted');
    for (const u of [P, P + 1n, P + 18n, 2n ** 255n - 1n, 2n ** 255n + 9n]) {
      expect(codeOf(() => checkPeerElement(hexToBytes(le(u)), 0))).toBe('POINT_INVALID');
    }
  });
});

describe('x25519 keys', () => {
  it('randomX25519Key is clamped and checkX25519Key accepts it', () => {
    for (let i = 0; i < 50; i++) {
      const k = randomX25519Key();
      expect(k[0]! & 7).toBe(0);
      expect(k[31]! & 0xc0).toBe(0x40);
      expect(() => checkX25519Key(k)).not.toThrow();
    }
  });

  it('refuses a zeroised key and wrong lengths with SCALAR_INVALID', () => {
    for (const k of [new Uint8Array(32), new Uint8Array(16), 'key' as never])
      expect(codeOf(() => checkX25519Key(k))).toBe('SCALAR_INVALID');
  });
});

describe('x25519 hash input', () => {
  it('expands under its own DST, not the ristretto255 one', () => {
    expect(X25519_HASH_DST).not.toBe(HASH_TO_GROUP_DST);
    expect(hex(expandX25519(['a@example.com']))).toBe(hex(expandMessages(['a@example.com'], X25519_HASH_DST)));
    expect(hex(expandX25519(['a@example.com']))).not.toBe(hex(expandMessages(['a@example.com'], HASH_TO_GROUP_DST)));
  });
});

describe('loadX25519Backend', () => {
  it("'auto' picks sodium-native in Node, synchronous", async () => {
    const auto = await loadX25519Backend();
    expect(auto.name).toBe('sodium-native');
    expect(isSyncX25519Backend(auto)).toBe(true);
    expect(isSyncX25519Backend(await loadX25519Backend('webcrypto'))).toBe(false);
    await expect(loadX25519Backend('nope' as never)).rejects.toMatchObject({ code: 'BACKEND_UNKNOWN' });
  });

  it('without node:module, sodium-native is BACKEND_UNAVAILABLE and auto falls back to WASM', async () => {
    vi.resetModules();
    const spy = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    try {
      const { loadX25519Backend: load } = await import('../../src/group/x25519/load.js');
      await expect(load('sodium-native')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect((await load('auto')).name).toBe('sodium');
    } finally {
      spy.mockRestore();
      vi.resetModules();
    }
  });

  it('without libsodium WASM either, auto falls back to WebCrypto', async () => {
    vi.resetModules();
    const spy = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    vi.doMock('libsodium-wrappers-sumo', () => ({ default: { ready: Promise.reject(new Error('no WebAssembly')) } }));
    try {
      const { loadX25519Backend: load } = await import('../../src/group/x25519/load.js');
      await expect(load('sodium')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      const web = await load('auto');
      expect(web.name).toBe('webcrypto');
      // Its map then runs on noble: same bytes.
      const { x25519NobleBackend } = await import('../../src/group/x25519/noble.js');
      const uniform = expandX25519(['x']);
      expect(hex(await web.fromUniform(uniform))).toBe(hex(x25519NobleBackend.fromUniform(uniform)));
    } finally {
      spy.mockRestore();
      vi.doUnmock('libsodium-wrappers-sumo');
      vi.resetModules();
    }
  });
});

describe('x25519Blinder', () => {
  it('blinds and reblinds on sync and async backends alike, then refuses after close', async () => {
    const uniform = expandX25519(['a', 'b', 'c']);
    const a = randomX25519Key();
    const b = randomX25519Key();
    const web = x25519Blinder(await loadX25519Backend('webcrypto'), a.slice());
    const nat = x25519Blinder(await loadX25519Backend('sodium-native'), b.slice());
    const ab = await nat.reblind(await web.blind(uniform));
    const ba = await web.reblind(await nat.blind(uniform));
    expect(hex(ab)).toBe(hex(ba));
    await web.close();
    await expect(web.blind(uniform)).rejects.toMatchObject({ code: 'BLINDER_CLOSED' });
    await nat.close();
  });
});

describe('x25519 backends in the chunked blinder', () => {
  it('run unchanged: same packed shapes (64-byte uniform in, 32-byte elements out)', async () => {
    const backend = await loadX25519Backend('sodium-native');
    if (!isSyncX25519Backend(backend)) throw new Error('expected a sync backend');
    const key = randomX25519Key();
    const blinder = chunkedBlinder(backend, key.slice());
    const uniform = expandX25519(Array.from({ length: 200 }, (_, i) => `user.${i}@example.com`));
    const mine = await blinder.blind(uniform);
    expect(hex(mine)).toBe(hex(backend.blindUniform(uniform, key)));
    expect(hex(await blinder.reblind(mine))).toBe(hex(backend.multiply(mine, key)));
    await blinder.close();
  });
});
