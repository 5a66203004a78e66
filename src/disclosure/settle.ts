/**
 * The settling rule, on a token's live releases in charge order: a seed seen
 * before gives back the newest unsettled charges worth `micros`; a new one
 * marks the newest unsettled charge with it. Returns whether it was a repeat.
 *
 * @example
 * ```ts
 * settleReleases(state.releases, seedHex, 250_000);
 * ```
 */
export function settleReleases(releases: { epsilonMicros: number; seed?: string }[], seed: string, micros: number): boolean {
  const repeat = releases.some((r) => r.seed === seed);
  let left = micros;
  for (let i = releases.length - 1; i >= 0 && left > 0; i--) {
    const r = releases[i]!;
    if (r.seed !== undefined) continue;
    if (!repeat) {
      r.seed = seed;
      break;
    }
    if (r.epsilonMicros > left) continue;
    left -= r.epsilonMicros;
    releases.splice(i, 1);
  }
  return repeat;
}
