/**
 * Aggregates over the intersection (docs/measurement.md): the platform's value
 * columns summed over the matched people and released, and the advertiser's
 * summed under exponential ElGamal without the platform seeing a value, each
 * figure under the disclosure policy. Browser-safe: no `node:` imports.
 * @module
 */
export { AdvertiserParty } from './advertiser-party.js';
export { PlatformParty, type PlatformMeasure } from './platform-party.js';
export { matchedSums, type PlatformColumns } from './platform-columns.js';
export { sumNoiseBound, NOISE_TAIL_SCALES } from './sum-noise.js';
export type { AdvertiserMeasure, Aggregates, MeasuredResult } from './types.js';
