/**
 * `blindjoin/files`, Node only: identifiers streamed from CSV files (one
 * column, or rows of several typed columns), and SHA-256 hash files for
 * platforms that still take them.
 * @module
 */
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
