import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PsiError } from '../../src/errors.js';
import {
  CIPHERTEXT_BYTES,
  encodePlaintexts,
  generateKeyPair,
  loadHomomorphicBackend,
  nobleHomomorphic,
  publicKeyOf,
  type HomomorphicBackend,
} from '../../src/homomorphic/index.js';
import r9496 from '../vectors/rfc9496-ristretto255.json' with { type: 'json' };

const sodium = await loadHomomorphicBackend('sodium');
const P = ed25519.Point.Fp.ORDER;
const ORDER = ed25519.Point.Fn.ORDER;

const scalarArb = fc.bigInt({ min: 1n, max: ORDER - 1n }).map((s) => numberToBytesLE(s, 32));
const packedScalars = (min: bigint) => (n: number) =>
  fc.array(fc.bigInt({ min, max: ORDER - 1n }), { minLength: n, maxLength: n }).map((xs) => {
    const out = new Uint8Array(32 * n);
    xs.forEach((x, i) => out.set(numberToBytesLE(x, 32), 32 * i));
    return out;
  });
/** n plaintexts (any scalar, zero included) and n nonces, for n in [0, max]. */
const inputsArb = (max: number) => fc.integer({ min: 0, max }).chain((n) => fc.tuple(packedScalars(0n)(n), packedScalars(1n)(n)));

/** What a call returned, or the code and message it threw: the two must match across backends. */
function outcome(fn: () => Uint8Array | void): { ok: Uint8Array | void } | { code: string; message: string } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (!(e instanceof PsiError)) throw e;
    return { code: e.code, message: e.message };
  }
}

function same(fn: (b: HomomorphicBackend) => Uint8Array | void): ReturnType<typeof outcome> {
  const reference = outcome(() => fn(nobleHomomorphic));
  expect(outcome(() => fn(sodium))).toEqual(reference);
  return reference;
}

function keyPairFrom(secret: Uint8Array) {
  return { secretKey: secret, publicKey: publicKeyOf(secret) };
}

function encrypt(values: bigint[], secret: Uint8Array): Uint8Array {
  const nonces = new Uint8Array(32 * values.length);
  values.forEach((_, i) => nonces.set(numberToBytesLE(BigInt(i + 2) ** 40n % ORDER, 32), 32 * i));
  return nobleHomomorphic.encryptWithSecret(encodePlaintexts(values, 2n ** 40n), nonces, secret);
}

describe('homomorphic backends: byte-identical to noble', () => {
  it('loads, and auto picks libsodium in Node', async () => {
    expect(sodium.name).toBe('sodium');
    expect((await loadHomomorphicBackend()).name).toBe('sodium');
    expect((await loadHomomorphicBackend('noble')).name).toBe('noble');
    await expect(loadHomomorphicBackend('native' as never)).rejects.toMatchObject({ code: 'BACKEND_UNKNOWN' });
  });

  it('the same (key, m, r) gives the same bytes, by secret key or by public key', () => {
    fc.assert(
      fc.property(inputsArb(5), scalarArb, ([plaintexts, nonces], secret) => {
        const { publicKey } = keyPairFrom(secret);
        const bySecret = same((b) => b.encryptWithSecret(plaintexts, nonces, secret));
        // (m + r·s)·G = m·G + r·P: the key holder's shortcut is the textbook encryption.
        const byPublic = same((b) => b.encryptWithPublic(plaintexts, nonces, publicKey));
        expect(byPublic).toEqual(bySecret);
        expect((bySecret as { ok: Uint8Array }).ok.length).toBe(plaintexts.length * 2);
      }),
      { numRuns: 25 },
    );
  });

  it('add, sum (all rows or chosen rows), addPlain, rerandomize and decryptToPoints agree', () => {
    fc.assert(
      fc.property(
        inputsArb(4).filter(([m]) => m.length > 0),
        scalarArb,
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        ([plaintexts, nonces], secret, picks) => {
          const { publicKey } = keyPairFrom(secret);
          const cts = nobleHomomorphic.encryptWithSecret(plaintexts, nonces, secret);
          const n = plaintexts.length / 32;
          const other = nobleHomomorphic.encryptWithSecret(
            plaintexts
              .slice()
              .reverse()
              .map((x) => x & 0x0f),
            nonces
              .slice()
              .reverse()
              .map((x) => x & 0x0f || 1),
            secret,
          );
          same((b) => b.add(cts, other));
          same((b) => b.sum(cts));
          same((b) =>
            b.sum(
              cts,
              Uint32Array.from(picks, (k) => k % n),
            ),
          );
          same((b) => b.addPlain(cts, plaintexts));
          same((b) => b.rerandomize(cts, nonces, publicKey));
          same((b) => b.decryptToPoints(cts, secret));
          same((b) => b.validate(cts));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('decryptToPoints gives m·G: the RFC 9496 multiples of the generator', () => {
    const secret = numberToBytesLE(7n, 32);
    const m = r9496.multiplesOfGenerator.map((_, k) => BigInt(k));
    const cts = encrypt(m, secret);
    for (const b of [nobleHomomorphic, sodium]) {
      const points = b.decryptToPoints(cts, secret);
      r9496.multiplesOfGenerator.forEach((hex, k) => expect(Buffer.from(points.subarray(32 * k, 32 * k + 32)).toString('hex')).toBe(hex));
    }
  });

  it('random 64-byte strings: same output or the same CIPHERTEXT_INVALID from every operation', () => {
    const secret = numberToBytesLE(123456789n, 32);
    const { publicKey } = keyPairFrom(secret);
    const good = encrypt([5n], secret);
    let rejected = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.boolean(), (bytes, first) => {
        const pair = new Uint8Array(128);
        pair.set(first ? bytes : good, 0);
        pair.set(first ? good : bytes, 64);
        const one = numberToBytesLE(1n, 32).slice();
        const r = same((b) => b.validate(pair));
        same((b) => b.add(pair, pair.slice()));
        same((b) => b.sum(pair));
        same((b) => b.addPlain(pair, new Uint8Array([...one, ...one])));
        same((b) => b.rerandomize(pair, new Uint8Array([...one, ...one]), publicKey));
        same((b) => b.decryptToPoints(pair, secret));
        if ('code' in r) rejected++;
      }),
      { numRuns: 60 },
    );
    expect(rejected).toBeGreaterThan(0);
  });

  it('rejects an identity c1 and non-canonical parts with CIPHERTEXT_INVALID naming the index and part', () => {
    const secret = numberToBytesLE(99n, 32);
    const { publicKey } = keyPairFrom(secret);
    const good = encrypt([1n, 2n, 3n], secret);
    const odd = (n: bigint) => (n % 2n === 1n ? n : n + 1n);
    const bad = [
      numberToBytesLE(P, 32),
      numberToBytesLE(P + 2n, 32),
      numberToBytesLE(2n ** 255n - 2n, 32),
      numberToBytesLE(odd(12345n), 32),
      ...r9496.invalidEncodings.map((hex) => hexToBytes(hex)),
    ];
    const cases: [Uint8Array, RegExp][] = [[new Uint8Array(32), /^ciphertext 2: c1 is the identity$/]];
    for (const e of bad) cases.push([e, /^ciphertext 2: c1 is not a canonical/]);
    for (const [element, message] of cases) {
      const packed = good.slice();
      packed.set(element, 128);
      const ones = encodePlaintexts([1n, 1n, 1n], 1n);
      for (const b of [nobleHomomorphic, sodium]) {
        for (const op of [
          () => b.validate(packed),
          () => b.add(packed, good),
          () => b.add(good, packed),
          () => b.sum(packed),
          () => b.sum(packed, new Uint32Array([2])),
          () => b.addPlain(packed, ones),
          () => b.rerandomize(packed, ones, publicKey),
          () => b.decryptToPoints(packed, secret),
        ]) {
          expect(op).toThrow(expect.objectContaining({ code: 'CIPHERTEXT_INVALID', message: expect.stringMatching(message) }));
        }
      }
    }
    // c2 may be the identity (m·G = -r·P), but must be canonical.
    for (const element of bad) {
      const packed = good.slice();
      packed.set(element, 128 + 32);
      same((b) => b.validate(packed));
      expect(() => sodium.sum(packed)).toThrow(/^ciphertext 2: c2 is not a canonical/);
    }
    const c2Identity = good.slice();
    c2Identity.fill(0, 128 + 32);
    expect(same((b) => b.validate(c2Identity))).toEqual({ ok: undefined });
  });

  it('refuses bad scalars, keys, rows and lengths with the same codes', () => {
    const secret = numberToBytesLE(5n, 32);
    const { publicKey } = keyPairFrom(secret);
    const cts = encrypt([1n, 2n], secret);
    const ok = encodePlaintexts([1n, 1n], 1n);
    const badScalars = [numberToBytesLE(ORDER, 32), numberToBytesLE(2n ** 256n - 1n, 32)];
    for (const s of [...badScalars, new Uint8Array(32), new Uint8Array(31)]) {
      expect(same((b) => b.encryptWithSecret(ok, ok, s))).toMatchObject({ code: 'SCALAR_INVALID' });
      expect(same((b) => b.decryptToPoints(cts, s))).toMatchObject({ code: 'SCALAR_INVALID' });
    }
    for (const s of badScalars) {
      const twice = new Uint8Array([...ok.subarray(0, 32), ...s]);
      expect(same((b) => b.encryptWithSecret(twice, ok, secret))).toMatchObject({
        code: 'SCALAR_INVALID',
        message: 'plaintext 1 must be in [0, order)',
      });
      expect(same((b) => b.encryptWithPublic(ok, twice, publicKey))).toMatchObject({
        code: 'SCALAR_INVALID',
        message: 'nonce 1 must be in [1, order)',
      });
      expect(same((b) => b.addPlain(cts, twice))).toMatchObject({ code: 'SCALAR_INVALID' });
    }
    // A zero nonce would leave c1 the identity: refused; a zero plaintext is fine.
    const zeroNonce = new Uint8Array(64); // nonce 0 is 1, nonce 1 is 0
    zeroNonce[0] = 1;
    expect(same((b) => b.rerandomize(cts, zeroNonce, publicKey))).toMatchObject({
      code: 'SCALAR_INVALID',
      message: 'nonce 1 must be in [1, order)',
    });
    // Ciphertext errors come before scalar errors at the same index, on both.
    const broken = cts.slice();
    broken.fill(0, 64, 96);
    expect(same((b) => b.rerandomize(broken, zeroNonce, publicKey))).toMatchObject({ code: 'CIPHERTEXT_INVALID' });
    for (const pk of [new Uint8Array(32), new Uint8Array(31), numberToBytesLE(P, 32)]) {
      expect(same((b) => b.rerandomize(cts, ok, pk))).toMatchObject({ code: 'POINT_INVALID' });
      expect(same((b) => b.encryptWithPublic(ok, ok, pk))).toMatchObject({ code: 'POINT_INVALID' });
    }
    expect(same((b) => b.sum(cts, new Uint32Array([0, 2])))).toMatchObject({ code: 'OPTIONS_INVALID' });
    expect(same((b) => b.sum(new Uint8Array(0)))).toMatchObject({ code: 'OPTIONS_INVALID' });
    expect(same((b) => b.sum(cts, new Uint32Array(0)))).toMatchObject({ code: 'OPTIONS_INVALID' });
    expect(same((b) => b.validate(new Uint8Array(65)))).toMatchObject({ code: 'PACKED_LENGTH_INVALID' });
    expect(same((b) => b.add(cts, cts.subarray(64)))).toMatchObject({ code: 'PACKED_LENGTH_INVALID' });
    expect(same((b) => b.encryptWithSecret(ok, ok.subarray(32), secret))).toMatchObject({ code: 'PACKED_LENGTH_INVALID' });
  });

  it('handles empty input and batches longer than the scratch area; wipes nothing it was given', () => {
    const { secretKey, publicKey } = generateKeyPair();
    expect(sodium.encryptWithSecret(new Uint8Array(0), new Uint8Array(0), secretKey)).toEqual(new Uint8Array(0));
    const n = 300;
    const values = Array.from({ length: n }, (_, i) => BigInt(i * 37 - 5000));
    const plaintexts = encodePlaintexts(values, 10n ** 6n);
    const nonces = new Uint8Array(32 * n).map((_, i) => (i % 32 === 31 ? 0 : (i * 131 + 7) & 255));
    const copy = nonces.slice();
    const cts = sodium.encryptWithSecret(plaintexts, nonces, secretKey);
    expect(nonces).toEqual(copy);
    expect(cts.length).toBe(n * CIPHERTEXT_BYTES);
    expect(cts).toEqual(nobleHomomorphic.encryptWithSecret(plaintexts, nonces, secretKey));
    expect(sodium.sum(cts)).toEqual(nobleHomomorphic.sum(cts));
    const rows = Uint32Array.from({ length: 400 }, (_, k) => (k * 7) % n);
    expect(sodium.sum(cts, rows)).toEqual(nobleHomomorphic.sum(cts, rows));
    expect(sodium.rerandomize(cts.subarray(0, 64 * 260), nonces.subarray(0, 32 * 260), publicKey)).toEqual(
      nobleHomomorphic.rerandomize(cts.subarray(0, 64 * 260), nonces.subarray(0, 32 * 260), publicKey),
    );
    expect(bytesToNumberLE(sodium.decryptToPoints(cts, secretKey).subarray(0, 32))).toBe(
      bytesToNumberLE(nobleHomomorphic.decryptToPoints(cts, secretKey).subarray(0, 32)),
    );
  });
});

describe('loadHomomorphicBackend without libsodium', () => {
  it("'sodium' fails with BACKEND_UNAVAILABLE and 'auto' falls back to noble", async () => {
    vi.resetModules();
    vi.doMock('libsodium-wrappers-sumo', () => ({ default: { ready: Promise.reject(new Error('no WebAssembly')) } }));
    try {
      const { loadHomomorphicBackend: load } = await import('../../src/homomorphic/load.js');
      await expect(load('sodium')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect((await load('auto')).name).toBe('noble');
    } finally {
      vi.doUnmock('libsodium-wrappers-sumo');
      vi.resetModules();
    }
  });
});
