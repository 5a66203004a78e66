export {
  decodeFrame, encodeFrame, joinFrames, parseFrameHeader, splitFrames,
  HEADER_BYTES, MAX_FRAME_BYTES, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION, SESSION_ID_BYTES,
  type Frame, type FrameHeader, type FrameType,
} from './frame.js';
