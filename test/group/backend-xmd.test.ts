import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandMessages } from '../../src/group/index.js';
import { HASH_TO_GROUP_DST } from '../../src/protocol/version.js';

/** The reference: noble's generic expand_message_xmd, one message at a time. */
function reference(messages: Uint8Array[], dst: string | Uint8Array): Uint8Array {
  const out = new Uint8Array(messages.length * 64);
  messages.forEach((m, i) => out.set(expand_message_xmd(m, dst, 64, sha512), i * 64));
  return out;
}

const asciiDst = fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 300 });
const messages = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });

describe('expandMessages (native SHA-512 in Node) equals noble expand_message_xmd', () => {
  it('for random messages and ASCII DSTs up to and beyond 255 bytes', () => {
    fc.assert(
      fc.property(messages, asciiDst, (msgs, dst) => {
        expect(expandMessages(msgs, dst)).toEqual(reference(msgs, dst));
      }),
      { numRuns: 200 },
    );
  });

  it('for byte DSTs, including zero bytes', () => {
    fc.assert(
      fc.property(messages, fc.uint8Array({ minLength: 1, maxLength: 255 }), (msgs, dst) => {
        expect(expandMessages(msgs, dst)).toEqual(reference(msgs, dst));
      }),
      { numRuns: 100 },
    );
  });

  it('hashes strings as their UTF-8 encoding, lone surrogates included', () => {
    const utf8 = new TextEncoder();
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 80 }), { maxLength: 8 }), asciiDst, (strings, dst) => {
        expect(expandMessages(strings, dst)).toEqual(
          reference(
            strings.map((s) => utf8.encode(s)),
            dst,
          ),
        );
      }),
      { numRuns: 100 },
    );
    const mixed = ['a@example.com', utf8.encode('a@example.com'), '\ud800x', 'é'];
    expect(expandMessages(mixed, HASH_TO_GROUP_DST)).toEqual(
      reference(
        mixed.map((m) => (typeof m === 'string' ? utf8.encode(m) : m)),
        HASH_TO_GROUP_DST,
      ),
    );
  });

  it('for messages spanning SHA-512 block boundaries with the protocol DST', () => {
    const msgs = Array.from({ length: 300 }, (_, n) => new Uint8Array(n).fill(n & 255));
    expect(expandMessages(msgs, HASH_TO_GROUP_DST)).toEqual(reference(msgs, HASH_TO_GROUP_DST));
  });

  it('refuses what noble refuses, with a typed error: an empty or non-ASCII DST, a message neither bytes nor string', () => {
    const msgs = [new Uint8Array(3)];
    expect(() => expandMessages(msgs, '')).toThrow(expect.objectContaining({ code: 'HASH_INPUT_INVALID' }));
    expect(() => expandMessages(msgs, 'tag\u00e9')).toThrow(expect.objectContaining({ code: 'HASH_INPUT_INVALID' }));
    expect(() => expandMessages([7 as never], 'tag')).toThrow(expect.objectContaining({ code: 'HASH_INPUT_INVALID' }));
  });
});
