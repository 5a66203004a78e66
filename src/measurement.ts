/**
 * `blindjoin/measurement`: aggregates over the intersection (docs/measurement.md),
 * browser-safe. A measuring session's parties: the advertiser's, which may add
 * value columns summed under encryption, and the platform's, which releases
 * sums of its own value columns over the matched users, every figure under the
 * disclosure policy. Against a service, `matchWith`'s `measure` option runs the
 * advertiser's party instead.
 * @module
 */
export {
  AdvertiserParty,
  PlatformParty,
  type AdvertiserMeasure,
  type Aggregates,
  type MeasuredResult,
  type PlatformColumns,
  type PlatformMeasure,
} from './measurement/index.js';
