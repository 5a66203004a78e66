export { readIdentifierColumn, type IdentifierColumn, type ReadColumnOptions, type RejectedRow, type TypedColumn } from './csv.js';
export { IdentifierError } from './errors.js';
export { hashIdentifier, type HashEncoding } from './hash.js';
export { writeHashFile, type HashFileOptions, type HashFileResult } from './hash-file.js';
export { ITEM_PREFIX, psiItem, type PsiItemOptions } from './item.js';
export { normalize } from './normalize.js';
export { IDENTIFIER_TYPES, PROFILES, type IdentifierType, type NormalizeOptions, type Profile } from './types.js';
