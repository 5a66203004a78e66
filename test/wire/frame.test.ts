import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, joinFrames, MAX_PAYLOAD_BYTES, parseFrameHeader, splitFrames } from '../../src/wire/index.js';
import { decodeChunk, decodeHandshake, encodeChunk, encodeHandshake } from '../../src/wire/messages.js';
import { syncCodeOf as codeOf } from '../codes.js';

const id = new Uint8Array(16).map((_, i) => i);

describe('frames', () => {
  it('round-trip header and payload', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('hello', 'accept', 'blinded', 'reblinded' as const),
        fc.nat({ max: 0xffffffff }),
        fc.uint8Array({ maxLength: 300 }),
        (type, seq, payload) => {
          const frame = decodeFrame(encodeFrame(type, id, seq, payload));
          expect(frame).toMatchObject({ type, seq, version: 1, payloadLength: payload.length });
          expect(frame.sessionId).toEqual(id);
          expect(frame.payload).toEqual(payload);
        },
      ),
    );
  });

  it('lays the header out as documented in docs/protocol.md', () => {
    const bytes = encodeFrame('blinded', id, 0x01020304, new Uint8Array([9, 9]));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x42, 0x4a, 0x50, 0x53, 1, 3, 0, 0]);
    expect(Array.from(bytes.subarray(24, 34))).toEqual([1, 2, 3, 4, 0, 0, 0, 2, 9, 9]);
  });

  it('refuses truncated, extended, foreign and oversized frames with stable codes', () => {
    const good = encodeFrame('hello', id, 0, new Uint8Array(8));
    expect(codeOf(() => decodeFrame(good.subarray(0, 10)))).toBe('FRAME_TRUNCATED');
    expect(codeOf(() => decodeFrame(good.subarray(0, good.length - 1)))).toBe('FRAME_TRUNCATED');
    expect(codeOf(() => decodeFrame(Uint8Array.from([...good, 0])))).toBe('FRAME_TRAILING_BYTES');
    const bad = (at: number, value: number) => Object.assign(good.slice(), { [at]: value });
    expect(codeOf(() => decodeFrame(bad(0, 0)))).toBe('FRAME_MAGIC');
    expect(codeOf(() => decodeFrame(bad(4, 9)))).toBe('VERSION_MISMATCH');
    expect(codeOf(() => decodeFrame(bad(5, 0)))).toBe('FRAME_TYPE_UNKNOWN');
    expect(codeOf(() => decodeFrame(bad(5, 9)))).toBe('FRAME_TYPE_UNKNOWN');
    expect(codeOf(() => decodeFrame(bad(7, 1)))).toBe('FRAME_RESERVED');
    expect(codeOf(() => decodeFrame(bad(28, 0xff)))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => encodeFrame('blinded', id, 0, new Uint8Array(MAX_PAYLOAD_BYTES + 1)))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => parseFrameHeader('x' as never))).toBe('FRAME_INVALID');
  });

  it('arbitrary bytes never raise anything but PsiError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const parse of [decodeFrame, splitFrames, decodeChunk, decodeHandshake]) codeOf(() => parse(bytes));
      }),
    );
  });

  it('split and join frames of a body', () => {
    const frames = [encodeFrame('hello', id, 0, new Uint8Array(8)), encodeFrame('blinded', id, 1, new Uint8Array(36))];
    expect(splitFrames(joinFrames(frames))).toEqual(frames);
    expect(codeOf(() => splitFrames(joinFrames(frames).subarray(0, 50)))).toBe('FRAME_TRUNCATED');
  });
});

describe('payloads', () => {
  it('handshakes round-trip (slots default 0) and refuse bad lengths, reveals and uncountable rows', () => {
    const h = { group: 1, learn: 'size', peerLearns: 'intersection', itemCount: 123456 } as const;
    expect(decodeHandshake(encodeHandshake(h))).toEqual({ ...h, slots: 0 });
    expect(decodeHandshake(encodeHandshake({ ...h, slots: 3 }))).toEqual({ ...h, slots: 3 });
    expect(codeOf(() => decodeHandshake(new Uint8Array(7)))).toBe('PAYLOAD_INVALID');
    const badReveal = encodeHandshake(h);
    badReveal[1] = 4;
    expect(codeOf(() => decodeHandshake(badReveal))).toBe('REVEAL_INVALID');
    // 2^31 rows of 2 slots: 2^32 elements, one more than a stream can number.
    const rows = encodeHandshake({ ...h, itemCount: 0x8000_0000, slots: 2 });
    expect(codeOf(() => decodeHandshake(rows))).toBe('PAYLOAD_INVALID');
    expect(decodeHandshake(encodeHandshake({ ...h, itemCount: 0x7fff_ffff, slots: 2 })).slots).toBe(2);
  });

  it('chunks hold at least one whole element', () => {
    const chunk = { offset: 5, elements: new Uint8Array(64).fill(3) };
    expect(decodeChunk(encodeChunk(chunk))).toEqual(chunk);
    expect(codeOf(() => decodeChunk(new Uint8Array(4)))).toBe('PAYLOAD_INVALID');
    expect(codeOf(() => decodeChunk(new Uint8Array(4 + 33)))).toBe('PAYLOAD_INVALID');
  });
});
