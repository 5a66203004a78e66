import { ed25519 } from '@noble/curves/ed25519.js';
import { FpLegendre } from '@noble/curves/abstract/modular.js';
import { numberToBytesLE } from '@noble/curves/utils.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import {
  loadX25519Backend,
  randomX25519Key,
  x25519NobleBackend as noble,
  type AnyX25519Backend,
  type X25519BackendName,
} from '../../src/group/x25519/index.js';
import { A, P } from '../../src/group/x25519/constants.js';
import { expandMessages } from '../../src/group/hash.js';
import { X25519_HASH_DST } from '../../src/protocol/version.js';
import rfc7748 from '../vectors/rfc7748-x25519.json' with { type: 'json' };

const expandX25519 = (messages: readonly string[]) => expandMessages(messages, X25519_HASH_DST);
const NAMES: X25519BackendName[] = ['noble', 'sodium', 'sodium-native', 'webcrypto'];
const backends = Object.fromEntries(await Promise.all(NAMES.map(async (n) => [n, await loadX25519Backend(n)] as const))) as Record<
  X25519BackendName,
  AnyX25519Backend
>;

type Outcome = { ok: string } | { code: string; message: string };

/** What a call returned, or the code and message it threw: these must match across backends. */
async function outcome(fn: () => Uint8Array | Promise<Uint8Array>): Promise<Outcome> {
  try {
    return { ok: Buffer.from(await fn()).toString('hex') };
  } catch (e) {
    if (!(e instanceof PsiError)) throw e;
    return { code: e.code, message: e.message };
  }
}

const Fp = ed25519.Point.Fp;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => k.some((b) => b !== 0));
const uniformArb = (max: number) =>
  fc.uint8Array({ minLength: 64, maxLength: 64 * max }).map((u) => u.subarray(0, u.length - (u.length % 64)));
const field = (n: bigint) => numberToBytesLE(n, 32);

/** Non-canonical encodings and the small-order u-coordinates of curve and twist. */
const INVALID: Uint8Array[] = [
  field(P),
  field(P + 1n),
  field(P + 18n),
  field(2n ** 255n - 1n),
  (() => {
    const u = field(9n);
    u[31] = 0x80; // bit 255 set on a valid u
    return u;
  })(),
  field(0n),
  field(1n),
  field(P - 1n),
  hexToBytes('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
  hexToBytes('5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'),
];

describe.each(NAMES)('x25519 backend %s', (name) => {
  const backend = backends[name];

  it('loads under its name', () => {
    expect(backend.name).toBe(name);
  });

  it('RFC 7748 §5.2 function vectors (bit 255 refused, its masked twin accepted)', async () => {
    const [v1, v2] = rfc7748.functionVectors;
    expect(hex(await backend.multiply(hexToBytes(v1!.u), hexToBytes(v1!.scalar)))).toBe(v1!.output);
    expect(await outcome(() => backend.multiply(hexToBytes(v2!.u), hexToBytes(v2!.scalar)))).toMatchObject({ code: 'POINT_INVALID' });
    const masked = hexToBytes(v2!.u);
    masked[31] = masked[31]! & 0x7f;
    expect(hex(await backend.multiply(masked, hexToBytes(v2!.scalar)))).toBe(v2!.output);
  });

  it('RFC 7748 §5.2 iterated vector, 1 and 1,000 rounds', async () => {
    let k: Uint8Array = hexToBytes(rfc7748.iterated.start);
    let u: Uint8Array = k;
    for (let i = 1; i <= 1000; i++) {
      [k, u] = [await backend.multiply(u, k), k];
      if (i === 1) expect(hex(k)).toBe(rfc7748.iterated.after1);
    }
    expect(hex(k)).toBe(rfc7748.iterated.after1000);
  });

  it('RFC 7748 §6.1 Diffie-Hellman', async () => {
    const dh = rfc7748.diffieHellman;
    const base = field(9n);
    expect(hex(await backend.multiply(base, hexToBytes(dh.alicePrivate)))).toBe(dh.alicePublic);
    expect(hex(await backend.multiply(base, hexToBytes(dh.bobPrivate)))).toBe(dh.bobPublic);
    expect(hex(await backend.multiply(hexToBytes(dh.bobPublic), hexToBytes(dh.alicePrivate)))).toBe(dh.shared);
    expect(hex(await backend.multiply(hexToBytes(dh.alicePublic), hexToBytes(dh.bobPrivate)))).toBe(dh.shared);
  });

  it('fromUniform and blindUniform equal noble on random inputs and keys', async () => {
    await fc.assert(
      fc.asyncProperty(uniformArb(5), keyArb, async (uniform, key) => {
        expect(hex(await backend.fromUniform(uniform))).toBe(hex(noble.fromUniform(uniform)));
        expect(hex(await backend.blindUniform(uniform, key))).toBe(hex(noble.blindUniform(uniform, key)));
      }),
      { numRuns: name === 'noble' ? 5 : 25 },
    );
  });

  it('multiply equals noble on random 32-byte strings (curve and twist points) or fails the same way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 4 }),
        keyArb,
        async (us, key) => {
          const packed = new Uint8Array(us.length * 32);
          us.forEach((u, i) => packed.set(u, i * 32));
          expect(await outcome(() => backend.multiply(packed, key))).toEqual(await outcome(() => noble.multiply(packed, key)));
        },
      ),
      { numRuns: name === 'noble' ? 5 : 40 },
    );
  });

  it('refuses non-canonical and small-order elements with POINT_INVALID naming the first bad index', async () => {
    const key = randomX25519Key();
    const good = noble.fromUniform(expandX25519(['a', 'b']));
    for (const bad of INVALID) {
      const packed = new Uint8Array(32 * 4);
      packed.set(good, 0);
      packed.set(bad, 64);
      packed.set(bad, 96);
      const got = await outcome(() => backend.multiply(packed, key));
      expect(got).toEqual(await outcome(() => noble.multiply(packed, key)));
      expect(got).toMatchObject({ code: 'POINT_INVALID', message: expect.stringMatching(/^element 2 /) });
    }
  });

  it('refuses bad keys and ragged buffers with the same codes', async () => {
    const element = noble.fromUniform(new Uint8Array(64).fill(1));
    for (const key of [new Uint8Array(32), new Uint8Array(31).fill(1), new Uint8Array(33).fill(1)]) {
      for (const call of [() => backend.multiply(element, key), () => backend.blindUniform(new Uint8Array(64), key)]) {
        expect(await outcome(call)).toMatchObject({ code: 'SCALAR_INVALID' });
      }
    }
    const key = randomX25519Key();
    expect(await outcome(() => backend.multiply(new Uint8Array(33), key))).toMatchObject({ code: 'PACKED_LENGTH_INVALID' });
    expect(await outcome(() => backend.fromUniform(new Uint8Array(65)))).toMatchObject({ code: 'PACKED_LENGTH_INVALID' });
    expect(await outcome(() => backend.blindUniform(new Uint8Array(63), key))).toMatchObject({ code: 'PACKED_LENGTH_INVALID' });
  });

  it('commutes: X25519(a, X25519(b, H(x))) = X25519(b, X25519(a, H(x))), on the twist too', async () => {
    const uniform = expandX25519(['a@example.com', 'b@example.com', 'c@example.com']);
    const a = randomX25519Key();
    const b = randomX25519Key();
    const ab = await backend.multiply(await backend.blindUniform(uniform, a), b);
    expect(hex(ab)).toBe(hex(await backend.multiply(await backend.blindUniform(uniform, b), a)));
    // g(2) = 2^3 + 4A + 2 is not a square mod p: u = 2 is on the twist, not the curve.
    expect(FpLegendre(Fp, 10n + 4n * A)).toBe(-1);
    const twist = field(2n);
    expect(hex(await backend.multiply(await backend.multiply(twist, a), b))).toBe(
      hex(await backend.multiply(await backend.multiply(twist, b), a)),
    );
  });

  it('maps the identity to u = 0 and blinds it to zeros (the peer refuses those)', async () => {
    const key = randomX25519Key();
    const opposite = new Uint8Array(64).fill(5);
    opposite[63] = opposite[63]! ^ 0x80; // second half = first with the other sign: P + (-P)
    for (const uniform of [new Uint8Array(64), opposite]) {
      expect(hex(await backend.fromUniform(uniform))).toBe('00'.repeat(32));
      expect(hex(await backend.blindUniform(uniform, key))).toBe('00'.repeat(32));
    }
  });

  it('handles empty input and more elements than a staging batch', async () => {
    const key = randomX25519Key();
    expect((await backend.blindUniform(new Uint8Array(0), key)).length).toBe(0);
    expect((await backend.multiply(new Uint8Array(0), key)).length).toBe(0);
    if (name === 'noble') return;
    const uniform = new Uint8Array(64 * 300).map((_, i) => (i * 31) & 255);
    const mine = await backend.blindUniform(uniform, key);
    expect(hex(mine)).toBe(hex(await backends.sodium.blindUniform(uniform, key)));
    expect(hex(await backend.multiply(mine, key))).toBe(hex(await backends['sodium-native'].multiply(mine, key)));
  });
});
