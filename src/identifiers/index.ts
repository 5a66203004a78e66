export { IdentifierError } from './errors.js';
export { hashIdentifier, type HashEncoding } from './hash.js';
export { ITEM_PREFIX, psiItem, type PsiItemOptions } from './item.js';
export { normalize } from './normalize.js';
export { IDENTIFIER_TYPES, PROFILES, type IdentifierType, type NormalizeOptions, type Profile } from './types.js';
