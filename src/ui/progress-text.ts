import type { Phase } from './messages.js';

/**
 * The phases of a match as the page lists them, in order.
 *
 * @example
 * ```ts
 * PHASES.map(([phase, label]) => label); // ['Reading the file', 'Normalising identifiers', ...]
 * ```
 */
export const PHASES: readonly (readonly [Phase, string])[] = Object.freeze([
  ['reading', 'Reading the file'],
  ['normalising', 'Normalising identifiers'],
  ['blinding', 'Blinding and comparing on this computer'],
  ['sending', 'Sending blinded identifiers'],
  ['waiting', 'Waiting for the platform'],
  ['receiving', 'Receiving from the platform'],
] as const);

const n = (x: number) => x.toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * The progress line of a phase, with its count.
 *
 * @example
 * ```ts
 * phaseText('normalising', 45000, undefined, 0); // 'Normalising identifiers: 45,000 rows'
 * ```
 */
export function phaseText(phase: Phase, done: number, total: number | undefined, keys: number): string {
  const label = PHASES.find(([p]) => p === phase)![1];
  switch (phase) {
    case 'reading':
      return `${label}: ${mb(done)}${total === undefined ? '' : ` of ${mb(total)}`}`;
    case 'normalising':
      return `${label}: ${n(done)} rows`;
    case 'blinding':
      return `${label}: ${n(keys)} identifiers`;
    case 'sending':
    case 'waiting':
      return `${label}: ${mb(done)} sent`;
    case 'receiving':
      return `${label}: ${mb(done)} received`;
  }
}

/** Milliseconds per identifier from blinding to result, before a match on this browser has measured it. */
const DEFAULT_MS_PER_KEY = 0.25;

/**
 * "About 20 s left": the time a match of `keys` identifiers takes from
 * blinding to result, at the rate the last match in this browser measured
 * (kept in localStorage), less the time already spent since blinding began.
 * Empty before blinding; "Almost done" once the estimate is spent.
 *
 * @example
 * ```ts
 * remainingText('sending', 100_000, 5); // 'About 20 s left (estimated)'
 * ```
 */
export function remainingText(phase: Phase | undefined, keys: number, secondsSinceBlinding: number): string {
  if (phase === undefined || phase === 'reading' || phase === 'normalising' || keys === 0) return '';
  let perKey = DEFAULT_MS_PER_KEY;
  try {
    const kept = Number(globalThis.localStorage?.getItem('blindjoin-ms-per-key'));
    if (Number.isFinite(kept) && kept > 0) perKey = kept;
  } catch {
    // storage refused: keep the default
  }
  const left = (keys * perKey) / 1000 - secondsSinceBlinding;
  return left < 1 ? 'Almost done' : `About ${Math.ceil(left)} s left (estimated)`;
}
