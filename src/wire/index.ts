export {
  decodeFrame,
  decodeFrames,
  encodeFrame,
  joinFrames,
  parseFrameHeader,
  splitFrames,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  SESSION_ID_BYTES,
  type Frame,
  type FrameHeader,
  type FrameType,
} from './frame.js';
export {
  decodeChunk,
  decodeHandshake,
  encodeChunk,
  encodeHandshake,
  CHUNK_HEADER_BYTES,
  GROUP_RISTRETTO255,
  GROUP_X25519,
  HANDSHAKE_BYTES,
  type Chunk,
  type Handshake,
} from './messages.js';
export { parseReveal, type Reveal } from './reveal.js';
export { decodeRelease, encodeRelease, MAX_RELEASE_BYTES, type ReleasedFigure } from './release.js';
