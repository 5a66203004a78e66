/**
 * blindjoin's platform-neutral entry: the session API and identifiers, for
 * browsers as well as Node (no `node:` imports). Bundlers resolve `blindjoin` to
 * this entry under the `browser` condition; Node gets {@link module:index} with
 * CSV files, the service and the HTTP client on top. Group, join and wire
 * primitives are on `blindjoin/primitives`.
 *
 * Layers, lowest first; each imports only from layers before it:
 * identifiers | group | join | disclosure (independent of each other) -> homomorphic (on
 * group) and wire (on group and disclosure's types) -> protocol -> measurement (on protocol,
 * homomorphic, disclosure and wire) -> service -> transport -> cli.
 * @module
 */
export { ERROR_CODES, isPsiErrorCode, PsiError, type PsiErrorCode } from './errors.js';
export * from './identifiers/index.js';
export type { BackendChoice } from './group/load.js';
export type { GroupName } from './group/suite.js';
export type { Reveal } from './wire/reveal.js';
export * from './protocol/index.js';
export {
  AdvertiserParty,
  PlatformParty,
  type AdvertiserMeasure,
  type Aggregates,
  type MeasuredResult,
  type PlatformColumns,
  type PlatformMeasure,
} from './measurement/index.js';
export type { ExactFigure, Figure } from './wire/figure.js';
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
