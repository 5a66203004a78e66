export { BlindedCache } from './blinded-cache.js';
export { blindSet, type BlindedSet, type BlindSetOptions } from './blinded-set.js';
export { createParty } from './party.js';
export type { Role } from './reveal.js';
export { runLocal } from './run-local.js';
export type { Party, PartyOptions, PartyResult, SessionOptions } from './types.js';
export type { StoredSet } from './stored-set.js';
export { DEFAULT_GROUP } from './suite.js';
