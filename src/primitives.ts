/**
 * `blindjoin/primitives`: blindjoin's building blocks, for benchmarks, other
 * protocols and tests: the group (hash-to-group, blinding backends, worker
 * pools), the join over packed tokens, the wire format, and the finer parts of
 * identifiers (composite keys, the item format) and of sessions (a set blinded
 * once for many sessions). Browser-safe. Most users want the root instead.
 * @module
 */
export * from './group/index.js';
export * from './join/index.js';
export * from './wire/index.js';
export { HASH_TO_GROUP_DST, X25519_HASH_DST } from './protocol/version.js';
export { isPsiErrorCode } from './errors.js';
export { blindSet, DEFAULT_GROUP, type BlindedSet, type BlindSetOptions, type Role, type StoredSet } from './protocol/index.js';
export type { ExactFigure } from './wire/figure.js';
export {
  COMPOSITE_FIELDS,
  COMPOSITE_SEPARATOR,
  isComposite,
  ITEM_PREFIX,
  type CompositeType,
  type HashEncoding,
  type IdentifierRows,
  type KeyColumn,
  type KeyProblem,
  type Profile,
  type PsiItemOptions,
  type RejectedRow,
  type RowWarning,
} from './identifiers/index.js';
