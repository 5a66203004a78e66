export { COMPOSITE_FIELDS, COMPOSITE_SEPARATOR, compositeKey, isComposite } from './composite.js';
export { IdentifierError } from './errors.js';
export { hashIdentifier, type HashEncoding } from './hash.js';
export { ITEM_PREFIX, psiItem, type PsiItemOptions } from './item.js';
export { normalize } from './normalize.js';
export { rowKeys, type KeyColumn, type KeyProblem, type RowKey, type RowKeys, type RowKeysOptions } from './row-keys.js';
export type { IdentifierRows, RejectedRow, RowWarning } from './row-table.js';
export { IDENTIFIER_TYPES, PROFILES, type CompositeType, type IdentifierType, type NormalizeOptions, type Profile } from './types.js';
