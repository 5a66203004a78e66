/**
 * Test-only statistics: Pearson's chi-square goodness of fit with its exact
 * p-value (the regularized upper incomplete gamma function), so the tests state
 * a significance level instead of a hand-copied critical value.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x)/Γ(a): series below a + 1, continued fraction above (Numerical Recipes 6.2). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(lnPrefix);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lnPrefix) * h;
}

/** Upper-tail p-value of a chi-square statistic with `df` degrees of freedom. */
export function chiSquarePValue(statistic: number, df: number): number {
  return gammaQ(df / 2, statistic / 2);
}

/**
 * Pearson's test of integer samples against a pmf on the integers: one bin per
 * value in [-m, m], where m is the largest value whose expected count is at
 * least `minExpected`, and one bin for each tail. Returns the statistic, the
 * degrees of freedom (bins - 1) and the p-value.
 */
export function chiSquareTest(
  counts: ReadonlyMap<number, number>,
  total: number,
  pmf: (k: number) => number,
  minExpected = 20,
): { statistic: number; df: number; p: number; bins: number } {
  let m = 0;
  while (total * pmf(m + 1) >= minExpected) m++;
  let statistic = 0;
  let inside = 0;
  let observedInside = 0;
  for (let k = -m; k <= m; k++) {
    const expected = total * pmf(k);
    const observed = counts.get(k) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
    inside += pmf(k);
    observedInside += observed;
  }
  // The two tails share the remaining mass evenly (both distributions tested are symmetric).
  let left = 0;
  let right = 0;
  for (const [k, n] of counts) {
    if (k < -m) left += n;
    else if (k > m) right += n;
  }
  const tailExpected = (total * (1 - inside)) / 2;
  statistic += (left - tailExpected) ** 2 / tailExpected + (right - tailExpected) ** 2 / tailExpected;
  if (left + right + observedInside !== total) throw new Error('counts do not add up to total');
  const bins = 2 * m + 3;
  return { statistic, df: bins - 1, p: chiSquarePValue(statistic, bins - 1), bins };
}

/** z-score of `successes` in `n` Bernoulli(p) trials. */
export function binomialZ(successes: number, n: number, p: number): number {
  return (successes - n * p) / Math.sqrt(n * p * (1 - p));
}
