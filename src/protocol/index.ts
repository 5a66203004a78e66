export { blindSet, type BlindedSet, type BlindSetOptions } from './blinded-set.js';
export { createParty } from './party.js';
export type { Reveal, Role } from './reveal.js';
export { runLocal } from './run-local.js';
export type { Party, PartyOptions, PartyResult, SessionOptions } from './types.js';
export { HASH_TO_GROUP_DST } from './version.js';
