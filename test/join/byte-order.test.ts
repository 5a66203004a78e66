import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteOrder } from '../../src/join/byte-order.js';

describe('byteOrder', () => {
  it('orders packed tokens as a comparison sort does: ascending bytes, ties by index', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 40 }),
        fc.array(fc.tuple(fc.nat(3), fc.uint8Array({ minLength: 40, maxLength: 40 })), { maxLength: 60 }),
        (width, drawn) => {
          // A few distinct first bytes, so that prefixes are shared and whole tokens repeat.
          const tokens = drawn.map(([prefix, bytes]) => {
            const token = bytes.slice(0, width);
            token.fill(prefix, 0, Math.min(width, 4 + prefix));
            return prefix === 3 ? new Uint8Array(width).fill(3) : token;
          });
          const packed = new Uint8Array(Buffer.concat(tokens));
          const expected = tokens.map((_, i) => i).sort((a, b) => Buffer.compare(tokens[a]!, tokens[b]!) || a - b);
          expect(Array.from(byteOrder(packed, width))).toEqual(expected);
        },
      ),
    );
  });
});
