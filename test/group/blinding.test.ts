import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandMessages, ristretto255NobleBackend, randomScalar } from '../../src/group/index.js';
import { scalarToBigint } from '../../src/group/scalar.js';
import { HASH_TO_GROUP_DST } from '../../src/protocol/version.js';
import { syncCodeOf as codeOf } from '../codes.js';

const items = fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 4 });

describe('blinding', () => {
  it('commutes: (H(x)^a)^b == (H(x)^b)^a', () => {
    fc.assert(
      fc.property(items, (msgs) => {
        const uniform = expandMessages(msgs, HASH_TO_GROUP_DST);
        const a = randomScalar();
        const b = randomScalar();
        const ab = ristretto255NobleBackend.multiply(ristretto255NobleBackend.blindUniform(uniform, a), b);
        const ba = ristretto255NobleBackend.multiply(ristretto255NobleBackend.blindUniform(uniform, b), a);
        expect(ab).toEqual(ba);
      }),
      { numRuns: 20 },
    );
  });

  it('blindUniform is fromUniform followed by multiply', () => {
    fc.assert(
      fc.property(items, (msgs) => {
        const uniform = expandMessages(msgs, HASH_TO_GROUP_DST);
        const k = randomScalar();
        expect(ristretto255NobleBackend.blindUniform(uniform, k)).toEqual(
          ristretto255NobleBackend.multiply(ristretto255NobleBackend.fromUniform(uniform), k),
        );
      }),
      { numRuns: 20 },
    );
  });

  it('different keys give unlinkable encodings of the same item', () => {
    const uniform = expandMessages([new TextEncoder().encode('a@example.com')], HASH_TO_GROUP_DST);
    expect(ristretto255NobleBackend.blindUniform(uniform, randomScalar())).not.toEqual(
      ristretto255NobleBackend.blindUniform(uniform, randomScalar()),
    );
  });

  it('random scalars are canonical and non-zero', () => {
    for (let i = 0; i < 50; i++) expect(scalarToBigint(randomScalar()) > 0n).toBe(true);
  });

  it('refuses malformed scalars and packed buffers with typed errors', () => {
    const point = ristretto255NobleBackend.fromUniform(expandMessages([new Uint8Array(1)], HASH_TO_GROUP_DST));
    expect(codeOf(() => ristretto255NobleBackend.multiply(point, new Uint8Array(32)))).toBe('SCALAR_INVALID');
    expect(codeOf(() => ristretto255NobleBackend.multiply(point, new Uint8Array(32).fill(0xff)))).toBe('SCALAR_INVALID');
    expect(codeOf(() => ristretto255NobleBackend.multiply(point, new Uint8Array(31)))).toBe('SCALAR_INVALID');
    expect(codeOf(() => ristretto255NobleBackend.multiply(point.subarray(1), randomScalar()))).toBe('PACKED_LENGTH_INVALID');
    expect(codeOf(() => ristretto255NobleBackend.fromUniform(new Uint8Array(63)))).toBe('PACKED_LENGTH_INVALID');
  });
});
