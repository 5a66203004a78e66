/**
 * blindjoin: private audience matching with ECDH private set intersection.
 *
 * The package root, the same names in browsers and in Node (no `node:`
 * imports here; Node's root, {@link module:node}, adds only the worker-thread
 * blinding pool): run a session locally or against a blindjoin service, turn
 * identifiers into PSI items, and the errors and types of both. The rest is on
 * subpaths: `blindjoin/measurement` (aggregates over the intersection),
 * `blindjoin/primitives` (group, join, wire, and the finer parts of identifiers
 * and sessions), and for Node `blindjoin/client` (`matchOverHttp`),
 * `blindjoin/files`, `blindjoin/store` and `blindjoin/service`.
 *
 * Layers, lowest first; each imports only from layers before it:
 * identifiers | group | join | disclosure (independent of each other) -> homomorphic (on
 * group) and wire (on group and disclosure's types) -> protocol -> measurement (on protocol,
 * homomorphic, disclosure and wire) -> service -> transport -> cli.
 * @module
 */
export { ERROR_CODES, PsiError, type PsiErrorCode } from './errors.js';
export {
  compositeKey,
  hashIdentifier,
  IDENTIFIER_TYPES,
  IdentifierError,
  normalize,
  PROFILES,
  psiItem,
  rowKeys,
  type IdentifierType,
  type NormalizeOptions,
  type RowKey,
  type RowKeys,
  type RowKeysOptions,
} from './identifiers/index.js';
export type { GroupName } from './group/suite.js';
export type { Reveal } from './wire/reveal.js';
export type { Figure } from './wire/figure.js';
export {
  BlindedCache,
  createParty,
  runLocal,
  type Party,
  type PartyOptions,
  type PartyResult,
  type SessionOptions,
} from './protocol/index.js';
export {
  ConnectionError,
  matchWith,
  ServiceError,
  type MatchAudience,
  type MatchOverHttpOptions,
  type MatchOverHttpResult,
  type MatchProgress,
  type RowKeyInput,
} from './transport/client.js';
export { fetchPort, type HttpAnswer, type HttpPort } from './transport/http-port.js';
