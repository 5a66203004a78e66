import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { revealCode, revealFromCode, type Reveal } from './reveal.js';

/** Wire code of the ristretto255 suite (RFC 9496) in the handshake's group byte. */
export const GROUP_RISTRETTO255 = 1;
/** Wire code of the x25519 suite (Curve25519 u-coordinates, RFC 7748; docs/x25519.md). */
export const GROUP_X25519 = 2;
/** Bytes of a HELLO or ACCEPT payload. */
export const HANDSHAKE_BYTES = 8;
/** Bytes before the elements of a chunk payload: the stream offset. */
export const CHUNK_HEADER_BYTES = 4;

/**
 * What each party announces in HELLO (initiator) and ACCEPT (responder).
 *
 * @example
 * ```ts
 * const hello: Handshake = { group: 1, learn: 'size', peerLearns: 'intersection', itemCount: 10_000 };
 * ```
 */
export interface Handshake {
  group: number;
  learn: Reveal;
  peerLearns: Reveal;
  /** Number of distinct items (`slots` 0) or of rows the sender will blind. */
  itemCount: number;
  /**
   * 0: a set of distinct items, one element each. 1..255: rows of that many
   * elements each (keys of one row, padded with dummies), so `itemCount * slots`
   * elements follow and a `'size'` peer's return is shuffled row by row. Default 0.
   */
  slots?: number;
}

/** Most keys one row may carry: the handshake counts them in one byte. */
export const MAX_SLOTS = 255;

/**
 * Elements a handshake announces: one per item, or `slots` per row.
 *
 * @example
 * ```ts
 * handshakeElements({ group: 2, learn: 'size', peerLearns: 'none', itemCount: 10, slots: 3 }); // 30
 * ```
 */
export function handshakeElements(h: Handshake): number {
  return h.itemCount * Math.max(1, h.slots ?? 0);
}

/**
 * Serialises a handshake payload: group, learn, peerLearns, slots, count (u32 BE).
 *
 * @example
 * ```ts
 * encodeHandshake({ group: GROUP_RISTRETTO255, learn: 'size', peerLearns: 'none', itemCount: 3, slots: 0 });
 * ```
 */
export function encodeHandshake(h: Handshake): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_BYTES);
  out[0] = h.group;
  out[1] = revealCode(h.learn);
  out[2] = revealCode(h.peerLearns);
  out[3] = h.slots ?? 0;
  new DataView(out.buffer).setUint32(4, h.itemCount);
  return out;
}

/**
 * Parses an untrusted handshake payload.
 *
 * @example
 * ```ts
 * decodeHandshake(frame.payload).itemCount;
 * ```
 */
export function decodeHandshake(payload: Uint8Array): Required<Handshake> {
  if (payload.length !== HANDSHAKE_BYTES) {
    throw new PsiError('PAYLOAD_INVALID', `handshake payload must be ${HANDSHAKE_BYTES} bytes, got ${payload.length}`);
  }
  const itemCount = new DataView(payload.buffer, payload.byteOffset, HANDSHAKE_BYTES).getUint32(4);
  const slots = payload[3]!;
  // Rows multiply the work: their elements must still be countable on the wire.
  if (itemCount * Math.max(1, slots) > 0xffff_ffff) {
    throw new PsiError('PAYLOAD_INVALID', `${itemCount} rows of ${slots} slots exceed the 2^32 elements a stream can count`);
  }
  return {
    group: payload[0]!,
    learn: revealFromCode(payload[1]!),
    peerLearns: revealFromCode(payload[2]!),
    itemCount,
    slots,
  };
}

/**
 * A run of group elements of one stream, starting at element `offset`.
 *
 * @example
 * ```ts
 * const chunk: Chunk = { offset: 0, elements: packed };
 * ```
 */
export interface Chunk {
  offset: number;
  elements: Uint8Array;
}

/**
 * Serialises a chunk payload: offset (u32 BE), then the packed 32-byte elements.
 *
 * @example
 * ```ts
 * encodeChunk({ offset: 0, elements: blinded.subarray(0, 32 * 1000) });
 * ```
 */
export function encodeChunk(chunk: Chunk): Uint8Array {
  const out = new Uint8Array(CHUNK_HEADER_BYTES + chunk.elements.length);
  new DataView(out.buffer).setUint32(0, chunk.offset);
  out.set(chunk.elements, CHUNK_HEADER_BYTES);
  return out;
}

/**
 * Parses an untrusted chunk payload: at least one element, whole elements only.
 *
 * @example
 * ```ts
 * const { offset, elements } = decodeChunk(frame.payload);
 * ```
 */
export function decodeChunk(payload: Uint8Array): Chunk {
  const body = payload.length - CHUNK_HEADER_BYTES;
  if (body < ELEMENT_BYTES || body % ELEMENT_BYTES !== 0) {
    throw new PsiError('PAYLOAD_INVALID', `chunk payload of ${payload.length} bytes does not hold whole elements`);
  }
  return {
    offset: new DataView(payload.buffer, payload.byteOffset, CHUNK_HEADER_BYTES).getUint32(0),
    elements: payload.subarray(CHUNK_HEADER_BYTES),
  };
}
