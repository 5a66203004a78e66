import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { expandMessages, loadRistretto255Backend, type Ristretto255BackendName, type Ristretto255Backend } from '../../src/group/index.js';
import { ELEMENT_BYTES } from '../../src/group/constants.js';
import r9496 from '../vectors/rfc9496-ristretto255.json' with { type: 'json' };
import h2c from '../vectors/rfc9380-rfc9497-hash-to-ristretto255.json' with { type: 'json' };

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Little-endian scalar n as 32 bytes. */
function scalar(n: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

const BACKENDS: readonly Ristretto255BackendName[] = ['noble', 'sodium'];

describe.each(BACKENDS)('RFC 9496 ristretto255 vectors on %s', (name) => {
  let backend: Ristretto255Backend;
  beforeAll(async () => {
    backend = await loadRistretto255Backend(name);
  });
  const base = hexToBytes(r9496.multiplesOfGenerator[1]!);

  it('multiplying the generator by 1..15 gives the published encodings', () => {
    for (let k = 1; k < r9496.multiplesOfGenerator.length; k++) {
      expect(bytesToHex(backend.multiply(base, scalar(k)))).toBe(r9496.multiplesOfGenerator[k]);
    }
  });

  it('refuses the identity and every published invalid encoding with POINT_INVALID', () => {
    const bad = [r9496.multiplesOfGenerator[0]!, ...r9496.invalidEncodings];
    for (const hex of bad) {
      expect(() => backend.multiply(hexToBytes(hex), scalar(1))).toThrow(PsiError);
      try {
        backend.multiply(hexToBytes(hex), scalar(1));
      } catch (e) {
        expect((e as PsiError).code).toBe('POINT_INVALID');
      }
    }
  });

  it('element derivation from 64 uniform bytes matches A.3', () => {
    const uniform = new Uint8Array(r9496.elementDerivation.length * 64);
    r9496.elementDerivation.forEach(([input], i) => uniform.set(hexToBytes(input!), i * 64));
    const out = backend.fromUniform(uniform);
    r9496.elementDerivation.forEach(([, output], i) => {
      expect(bytesToHex(out.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES))).toBe(output);
    });
  });
});

describe('RFC 9380 expand_message_xmd', () => {
  it('expand_message_xmd(SHA-512) matches K.3', () => {
    const { dst, vectors } = h2c.expandMessageXmdSha512;
    for (const v of vectors) {
      expect(bytesToHex(expand_message_xmd(utf8(v.msg), dst, v.lenInBytes, sha512))).toBe(v.uniformBytes);
    }
  });
});

describe.each(BACKENDS)('RFC 9380 hash_to_ristretto255 on %s', (name) => {
  it('expandMessages + blindUniform reproduce the RFC 9497 blinded elements', async () => {
    const backend = await loadRistretto255Backend(name);
    const { dstHex, blind, vectors } = h2c.oprfBlind;
    const uniform = expandMessages(
      vectors.map((v) => hexToBytes(v.input)),
      hexToBytes(dstHex),
    );
    const blinded = backend.blindUniform(uniform, hexToBytes(blind));
    vectors.forEach((v, i) => {
      expect(bytesToHex(blinded.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES))).toBe(v.blindedElement);
    });
  });
});
