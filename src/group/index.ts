export type { Blinder } from './blinder.js';
export { ELEMENT_BYTES, SCALAR_BYTES, UNIFORM_BYTES } from './constants.js';
export { createBlinder, type BlinderOptions } from './create-blinder.js';
export { expandMessages, type HashInput } from './hash.js';
export type { BackendChoice } from './load.js';
export * from './ristretto255/index.js';
export * from './ristretto255/aliases.js';
export { randomScalar } from './scalar.js';
export type { BlindingLease, BlindingPool, BlindingThreads, ChunkOp } from './threads.js';
export {
  checkBackendChoice,
  GROUP_NAMES,
  groupSuite,
  isSyncBackend,
  type AnyGroupBackend,
  type GroupName,
  type GroupSuite,
  type SyncGroupBackend,
} from './suite.js';
export * from './x25519/index.js';
