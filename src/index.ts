/**
 * blindjoin: private audience matching with ECDH private set intersection.
 *
 * Layers, each in its own folder: identifiers -> group -> protocol -> join -> wire
 * -> transport -> cli. This Node entry is the browser-safe core plus the parts
 * that need Node: streaming CSV files and the HTTP service and client.
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
} from './identifiers/csv.js';
export { writeHashFile, type HashFileOptions, type HashFileResult } from './identifiers/hash-file.js';
export * from './transport/index.js';
