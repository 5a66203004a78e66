/**
 * blindjoin: private audience matching with ECDH private set intersection.
 *
 * This Node entry is the browser-safe core ({@link module:core}: the session API
 * and identifiers) plus what needs Node: streaming CSV files, the platform's
 * prepared store, the session service with its HTTP handler and server, and the HTTP client. Group, join and
 * wire primitives are on `blindjoin/primitives`.
 *
 * Layers, lowest first; each imports only from layers before it:
 * identifiers | group | join | disclosure (independent of each other) -> homomorphic (on
 * group) and wire (on group and disclosure's types) -> protocol -> measurement (on protocol,
 * homomorphic, disclosure and wire) and store (on protocol) -> service -> transport -> cli.
 * @module
 */
export * from './core.js';
export {
  identifierRows,
  readIdentifierColumn,
  readIdentifierRows,
  type IdentifierColumn,
  type IdentifierRow,
  type ReadColumnOptions,
  type ReadRowsOptions,
  type TypedColumn,
} from './files/csv.js';
export { writeHashFile, type HashFileOptions, type HashFileResult } from './files/hash-file.js';
export * from './service/index.js';
export { createPsiHandler, type PsiHandler, type PsiHandlerOptions } from './transport/handler.js';
export { matchOverHttp } from './transport/match-over-http.js';
export {
  servePlatform,
  startPsiServer,
  type PsiListenOptions,
  type PsiServer,
  type PsiServerOptions,
  type PsiServiceOptions,
} from './transport/server.js';
export { prepareStore, DEFAULT_SEGMENT_ITEMS, type PrepareOptions, type StoreInput, type StoreRows } from './store/writer.js';
export type { StreamedRow } from './store/partition.js';
export { openStore, type OpenedStore, type OpenStoreOptions } from './store/reader.js';
export { updateStore, type UpdateOptions, type UpdateResult } from './store/update.js';
export { switchEpoch, currentEpoch } from './store/layout.js';
export { advertiserSecret, configDir, defaultKeyFile } from './transport/advertiser-key.js';
export type { Manifest, SegmentEntry } from './store/manifest.js';
export type { InputRow, StoredRow } from './store/row-map.js';
export { openStoreSets, type StoreSets } from './service/store-sets.js';
