import { concatParts } from '../bytes.js';
import { PsiError } from '../errors.js';

/** Frame types, in the order a session uses them. */
export type FrameType = 'hello' | 'accept' | 'blinded' | 'reblinded' | 'release' | 'measure' | 'ciphertexts' | 'aggregates';

const TYPES: readonly FrameType[] = ['hello', 'accept', 'blinded', 'reblinded', 'release', 'measure', 'ciphertexts', 'aggregates'];

/** `BJPS`: lets a receiver refuse bytes that are not blindjoin frames at the first glance. */
export const MAGIC = new Uint8Array([0x42, 0x4a, 0x50, 0x53]);
/** Wire and protocol version; a peer speaking another one is refused. */
export const PROTOCOL_VERSION = 1;
/** Fixed header size: magic 4, version 1, type 1, flags 2, session 16, seq 4, length 4. */
export const HEADER_BYTES = 32;
/** Bytes in a session id. */
export const SESSION_ID_BYTES = 16;
/** Largest payload a party sends or accepts (1 MiB). */
export const MAX_PAYLOAD_BYTES = 1 << 20;
/** Largest frame a party sends or accepts. */
export const MAX_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES;

/**
 * The fixed-size header of every frame.
 *
 * @example
 * ```ts
 * const { type, seq, sessionId } = parseFrameHeader(bytes);
 * ```
 */
export interface FrameHeader {
  version: number;
  type: FrameType;
  sessionId: Uint8Array;
  seq: number;
  payloadLength: number;
}

/** A decoded frame: its header and a view of its payload. */
export interface Frame extends FrameHeader {
  payload: Uint8Array;
}

/** Offset of the sequence number in the header. */
const SEQ_OFFSET = 24;

/**
 * Sets the sequence number of an encoded frame in place: a layer that
 * interleaves its own frames with a party's renumbers the party's into the one
 * sequence of the wire, without copying them.
 *
 * @example
 * ```ts
 * renumberFrame(frame, 7); // decodeFrame(frame).seq === 7
 * ```
 */
export function renumberFrame(frame: Uint8Array, seq: number): void {
  if (frame.length < HEADER_BYTES) throw new PsiError('FRAME_TRUNCATED', `a frame of ${frame.length} bytes has no header`);
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(SEQ_OFFSET, seq);
}

/**
 * Serialises one frame. The payload is copied once, into the frame.
 *
 * @example
 * ```ts
 * const bytes = encodeFrame('hello', sessionId, 0, payload);
 * ```
 */
export function encodeFrame(type: FrameType, sessionId: Uint8Array, seq: number, payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_PAYLOAD_BYTES) throw new PsiError('FRAME_TOO_LARGE', `payload of ${payload.length} bytes`);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = PROTOCOL_VERSION;
  out[5] = TYPES.indexOf(type) + 1;
  out.set(sessionId, 8);
  view.setUint32(SEQ_OFFSET, seq);
  view.setUint32(28, payload.length);
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * Reads and checks a frame header from untrusted bytes: magic, version, type,
 * reserved flags and the payload bound. Does not require the payload to be present.
 *
 * @example
 * ```ts
 * parseFrameHeader(frame).sessionId; // route an HTTP request to its session
 * ```
 */
export function parseFrameHeader(bytes: Uint8Array): FrameHeader {
  if (!(bytes instanceof Uint8Array)) throw new PsiError('FRAME_INVALID', 'a frame must be a Uint8Array');
  if (bytes.length < HEADER_BYTES) {
    throw new PsiError('FRAME_TRUNCATED', `frame of ${bytes.length} bytes is shorter than its ${HEADER_BYTES}-byte header`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new PsiError('FRAME_MAGIC', 'not a blindjoin frame (bad magic)');
  }
  const version = bytes[4]!;
  if (version !== PROTOCOL_VERSION) {
    throw new PsiError('VERSION_MISMATCH', `peer speaks protocol version ${version}, this is version ${PROTOCOL_VERSION}`);
  }
  const type = TYPES[bytes[5]! - 1];
  if (type === undefined) throw new PsiError('FRAME_TYPE_UNKNOWN', `unknown frame type ${bytes[5]}`);
  if (bytes[6] !== 0 || bytes[7] !== 0) throw new PsiError('FRAME_RESERVED', 'reserved header bytes must be zero');
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const payloadLength = view.getUint32(28);
  if (payloadLength > MAX_PAYLOAD_BYTES) {
    throw new PsiError('FRAME_TOO_LARGE', `payload of ${payloadLength} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  }
  return { version, type, sessionId: bytes.slice(8, 8 + SESSION_ID_BYTES), seq: view.getUint32(SEQ_OFFSET), payloadLength };
}

/**
 * Decodes exactly one frame: the header, and a payload of precisely the declared
 * length (neither truncated nor followed by extra bytes).
 *
 * @example
 * ```ts
 * const { type, payload } = decodeFrame(bytes);
 * ```
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  const header = parseFrameHeader(bytes);
  const end = HEADER_BYTES + header.payloadLength;
  if (bytes.length < end) throw new PsiError('FRAME_TRUNCATED', `frame declares ${end} bytes but has ${bytes.length}`);
  if (bytes.length > end) throw new PsiError('FRAME_TRAILING_BYTES', `frame declares ${end} bytes but has ${bytes.length}`);
  return { ...header, payload: bytes.subarray(HEADER_BYTES, end) };
}

/**
 * Splits a byte stream holding whole frames back to back (an HTTP body, a file)
 * into frames, checking each header on the way.
 *
 * @example
 * ```ts
 * for (const frame of splitFrames(body)) out.push(...(await party.step(frame)));
 * ```
 */
export function splitFrames(bytes: Uint8Array): Uint8Array[] {
  let at = 0;
  return decodeFrames(bytes).map((frame) => bytes.subarray(at, (at += HEADER_BYTES + frame.payload.length)));
}

/**
 * Decodes a byte stream holding whole frames back to back into frames, each
 * header parsed once: what a receiver needs to route and feed them.
 *
 * @example
 * ```ts
 * for (const frame of decodeFrames(body)) out.push(...(await party.stepFrame(frame)));
 * ```
 */
export function decodeFrames(bytes: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const header = parseFrameHeader(bytes.subarray(at));
    const end = at + HEADER_BYTES + header.payloadLength;
    if (end > bytes.length) throw new PsiError('FRAME_TRUNCATED', `last frame declares ${end - at} bytes, ${bytes.length - at} left`);
    frames.push({ ...header, payload: bytes.subarray(at + HEADER_BYTES, end) });
    at = end;
  }
  return frames;
}

/**
 * Concatenates frames into one body, the inverse of {@link splitFrames}.
 *
 * @example
 * ```ts
 * const body = joinFrames(await party.step(frame));
 * ```
 */
export function joinFrames(frames: readonly Uint8Array[]): Uint8Array {
  return concatParts(frames);
}
