import { describe, expect, it } from 'vitest';
import { budgetText, gateReason, type PageTerms } from '../../src/ui/terms-view.js';
import type { TermsBudget } from '../../src/wire/terms.js';

const budget = (releasesLeft: number): TermsBudget => ({
  spent: (4 - releasesLeft) * 0.25,
  remaining: releasesLeft * 0.25,
  budget: 1,
  window: '30d',
  windowMs: 30 * 86_400_000,
  nextCreditAt: '2027-01-02T00:00:00.000Z',
  epsilonPerRelease: 0.25,
  releasesLeft,
});
const now = new Date('2026-12-07T03:00:00Z');
const terms = { minItems: 100 } as PageTerms;
const ok = { terms, reachable: true, token: '', tokenRefused: false, customers: 500 };

describe('budgetText', () => {
  it('says the budget in matches, until the next credit', () => {
    expect(budgetText(budget(3), now)).toBe('3 of 4 matches left until 2 January 2027');
    expect(budgetText({ ...budget(1), nextCreditAt: '2026-12-20T00:00:00Z' }, now)).toBe('1 of 4 matches left until 20 December');
    expect(budgetText({ ...budget(0), nextCreditAt: null }, now)).toBe('No matches left');
  });
});

describe('gateReason', () => {
  it('lets Match go when nothing stops it', () => {
    expect(gateReason(ok, now)).toBeNull();
  });

  it('says why Match is stopped, in the order a user can fix it', () => {
    expect(gateReason({ ...ok, reachable: false }, now)).toMatch(/cannot be reached/);
    expect(gateReason({ ...ok, terms: { ...terms, tokenRequired: true } }, now)).toMatch(/requires an access token/);
    expect(gateReason({ ...ok, terms: { ...terms, tokenRequired: true }, token: 'x' }, now)).toBeNull();
    expect(gateReason({ ...ok, token: 'x', tokenRefused: true }, now)).toMatch(/did not accept this access token/);
    expect(gateReason({ ...ok, terms: { ...terms, budget: budget(0) } }, now)).toMatch(/^No matches left until 2 January 2027/);
    expect(gateReason({ ...ok, customers: 80 }, now)).toBe(
      'Your file has 80 customers with a usable identifier; this platform matches lists of at least 100. Add customers to the file.',
    );
    expect(gateReason({ ...ok, customers: undefined }, now)).toMatch(/^Counting/);
  });
});
