import type { Figure } from '../wire/figure.js';
import type { BackendChoice } from '../group/load.js';
import type { PartyResult } from '../protocol/types.js';

/**
 * Figures over the matched set, never per person: the matched count and one
 * figure per value column, each released under the disclosure policy (or exact
 * under exact disclosure) with its note, epsilon, noise scale and 95% interval.
 *
 * @example
 * ```ts
 * const { count, columns } = result.aggregates!;
 * columns.amount.value; // e.g. 1_200_000 (cents), columns.amount.interval95
 * ```
 */
export interface Aggregates {
  count: Figure;
  /** Platform columns (released by the platform) and advertiser columns (decrypted by the advertiser), by name. */
  columns: Record<string, Figure>;
}

/**
 * What the advertiser measures over the intersection.
 *
 * @example
 * ```ts
 * const measure: AdvertiserMeasure = { platformColumns: ['impressions'], values: { amount: cents }, valueBound: 100_000 };
 * ```
 */
export interface AdvertiserMeasure {
  /** Platform columns to release (the service's terms list them as `values`). */
  platformColumns?: readonly string[] | undefined;
  /**
   * Own value columns, one non-negative integer per item or row (same order as `items` or `rows`),
   * summed over the matched items under encryption: the platform sees ciphertexts only.
   */
  values?: Readonly<Record<string, readonly number[]>>;
  /**
   * Every value is clamped to this per distinct item (duplicates' values added
   * first): the sensitivity of each sum, so the noise scale is valueBound/epsilon.
   * Default {@link DEFAULT_VALUE_BOUND} (10^6); at most 2^40.
   */
  valueBound?: number | bigint;
  /** Homomorphic backend: `'auto'` (libsodium WASM, else noble), `'sodium'` or `'noble'`. */
  backend?: BackendChoice | undefined;
}

/**
 * A party's result with the aggregates it received (advertiser) or released (platform: its own columns).
 *
 * @example
 * ```ts
 * const { aggregates } = party.result() as MeasuredResult;
 * ```
 */
export interface MeasuredResult extends PartyResult {
  aggregates?: Aggregates;
  /** Platform side: names of the advertiser's encrypted columns it summed (it learnt no value). */
  encryptedColumns?: string[];
}
