import type { ServiceTerms, TermsBudget } from '../wire/terms.js';

/**
 * The service's terms as the page reads them: the fields every service
 * publishes, and those a newer one adds (its number of users, whether it
 * requires a token, the token's budget), each absent on a service without it.
 *
 * @example
 * ```ts
 * const terms = (await (await fetch('v1/terms')).json()) as PageTerms;
 * ```
 */
export interface PageTerms extends Omit<ServiceTerms, 'users' | 'minAudience'> {
  users?: number;
  minAudience?: number;
}

const n = (x: number) => x.toLocaleString('en-US');

/** "2 January", or "2 January 2028" when not this year. */
function day(iso: string, now: Date): string {
  const at = new Date(iso);
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', timeZone: 'UTC' };
  if (at.getUTCFullYear() !== now.getUTCFullYear()) options.year = 'numeric';
  return at.toLocaleDateString('en-GB', options);
}

/**
 * The budget left, in matches: "3 of 4 matches left until 2 January" (when
 * the next match is credited back), or "No matches left until 2 January".
 *
 * @example
 * ```ts
 * budgetText({ releasesLeft: 3, budget: 1, epsilonPerRelease: 0.25, nextCreditAt: '2027-01-02T00:00:00Z' } as TermsBudget);
 * // '3 of 4 matches left until 2 January'
 * ```
 */
export function budgetText(budget: TermsBudget, now = new Date()): string {
  const whole = budget.epsilonPerRelease > 0 ? Math.floor(budget.budget / budget.epsilonPerRelease + 1e-9) : budget.releasesLeft;
  const until = budget.nextCreditAt === null ? '' : ` until ${day(budget.nextCreditAt, now)}`;
  if (budget.releasesLeft <= 0) return `No matches left${until}`;
  const noun = whole === 1 ? 'match' : 'matches';
  return `${n(budget.releasesLeft)} of ${n(whole)} ${noun} left${until}`;
}

/**
 * What the page knows before Match: the terms (or that the service cannot be
 * reached), whether a token was given and whether the service refused it,
 * the customers read from the file so far (`undefined` while reading).
 *
 * @example
 * ```ts
 * const s: GateState = { terms, reachable: true, token: '', tokenRefused: false, customers: 80 };
 * ```
 */
export interface GateState {
  terms?: PageTerms;
  reachable: boolean;
  token: string;
  tokenRefused: boolean;
  customers?: number | undefined;
  columnsProblem?: string;
}

/**
 * Why Match cannot be pressed yet, in plain words with what to do, or `null`
 * when it can: the service is unreachable, a token is required and missing
 * or refused, the budget is spent, the columns make no identifier, the file
 * is still being read, or the list is below the service's minimum.
 *
 * @example
 * ```ts
 * gateReason({ terms: { minItems: 100 } as PageTerms, reachable: true, token: '', tokenRefused: false, customers: 80 });
 * // 'Your file has 80 customers with a usable identifier; this platform matches lists of at least 100. Add customers to the file.'
 * ```
 */
export function gateReason(s: GateState, now = new Date()): string | null {
  if (!s.reachable) return "The platform's matching service cannot be reached. Check your connection, then reload the page.";
  if (s.terms === undefined) return 'Waiting for the platform’s terms…';
  if (s.terms.tokenRequired === true && s.token === '') {
    return 'This platform requires an access token: paste the one it gave you into "Access token".';
  }
  if (s.tokenRefused) return 'The platform did not accept this access token: check it and paste it again.';
  const budget = s.terms.budget;
  if (budget !== undefined && budget.releasesLeft <= 0) {
    return `${budgetText(budget, now)}: your access token has used every match this platform allows for now.`;
  }
  if (s.columnsProblem !== undefined) return s.columnsProblem;
  if (s.customers === undefined) return 'Counting the customers in your file…';
  if (s.customers < s.terms.minItems) {
    return (
      `Your file has ${n(s.customers)} customers with a usable identifier; this platform matches lists of at least ` +
      `${n(s.terms.minItems)}. Add customers to the file.`
    );
  }
  return null;
}
