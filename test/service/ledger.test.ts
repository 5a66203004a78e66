import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetLedger } from '../../src/service/ledger.js';
import { DEFAULT_WINDOW_MS } from '../../src/disclosure/index.js';
import { PsiError } from '../../src/errors.js';

const T0 = Date.UTC(2026, 10, 1, 12);
const DAY = 86_400_000;
let dir: string;
let file: string;
const opened: BudgetLedger[] = [];

async function openLedger(options?: Parameters<typeof BudgetLedger.open>[1], path = file): Promise<BudgetLedger> {
  const ledger = await BudgetLedger.open(path, options);
  opened.push(ledger);
  return ledger;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blindjoin-ledger-'));
  file = join(dir, 'budget.json');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  await rm(dir, { recursive: true, force: true });
});

const code = (c: string): unknown => expect.objectContaining({ code: c });

describe('BudgetLedger: charges', () => {
  it('creates the file at open and charges until the budget is spent', async () => {
    const ledger = await openLedger({ budget: 1 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ format: 'blindjoin-budget-ledger', version: 1, tokens: {} });
    for (let i = 1; i <= 4; i++) expect((await ledger.charge('acme', 0.25, T0 + i)).spentMicros).toBe(250_000 * i);
    await expect(ledger.charge('acme', 0.25, T0 + 5)).rejects.toThrow(code('BUDGET_EXCEEDED'));
    // A refused charge spends nothing; another token has its own budget.
    expect(ledger.status('acme', T0 + 5)).toMatchObject({ spent: 1, remaining: 0, budget: 1, nextExpiry: T0 + 1 + DEFAULT_WINDOW_MS });
    expect((await ledger.charge('other', 0.25, T0 + 6)).remaining).toBe(0.75);
  });

  it('refuses the charge that would exceed, not only the one after', async () => {
    const ledger = await openLedger({ budget: 1 });
    await ledger.charge('acme', 0.75, T0);
    await expect(ledger.charge('acme', 0.5, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
    await ledger.charge('acme', 0.25, T0);
  });

  it('persists every charge before resolving', async () => {
    const ledger = await openLedger();
    await ledger.charge('acme', 0.25, T0);
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(onDisk.tokens.acme.releases).toEqual([{ at: T0, epsilonMicros: 250_000 }]);
  });

  it('still refuses after a restart (the file is reopened)', async () => {
    const first = await openLedger({ budget: 1 });
    for (let i = 0; i < 4; i++) await first.charge('acme', 0.25, T0);
    await first.close();
    const second = await openLedger({ budget: 1 });
    expect(second.status('acme', T0 + 1).spent).toBe(1);
    await expect(second.charge('acme', 0.25, T0 + 1)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('frees epsilon only once a charge leaves the 30-day window', async () => {
    const ledger = await openLedger({ budget: 0.5 });
    await ledger.charge('acme', 0.5, T0);
    // The window is (now - 30 days, now]: the charge counts until nextExpiry = T0 + 30 days.
    await expect(ledger.charge('acme', 0.5, T0 + 30 * DAY - 1)).rejects.toThrow(code('BUDGET_EXCEEDED'));
    expect(ledger.status('acme', T0 + 30 * DAY - 1).nextExpiry).toBe(T0 + 30 * DAY);
    await ledger.charge('acme', 0.5, T0 + 30 * DAY + 1);
    // The expired entry is dropped from the file.
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(onDisk.tokens.acme.releases).toEqual([{ at: T0 + 30 * DAY + 1, epsilonMicros: 500_000 }]);
  });

  it('sums without float drift (0.1 + 0.2 fits a budget of 0.3)', async () => {
    const ledger = await openLedger({ budget: 0.3 });
    await ledger.charge('acme', 0.1, T0);
    await ledger.charge('acme', 0.2, T0);
    expect(ledger.status('acme', T0).remainingMicros).toBe(0);
    await expect(ledger.charge('acme', 0.000001, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('charges a fraction rounded up to micro-units', async () => {
    const ledger = await openLedger({ budget: 1 });
    for (let i = 0; i < 2; i++) await ledger.charge('acme', { numerator: 1, denominator: 3 }, T0);
    expect(ledger.status('acme', T0).spentMicros).toBe(666_668);
    // 3 × 333,334 = 1,000,002 > 1,000,000: the third third does not fit.
    await expect(ledger.charge('acme', { numerator: 1, denominator: 3 }, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('serialises concurrent charges: exactly the budget is spent', async () => {
    const ledger = await openLedger({ budget: 1 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => ledger.charge('acme', 0.25, T0)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(onDisk.tokens.acme.releases).toHaveLength(4);
  });

  it('takes a budget per token', async () => {
    const ledger = await openLedger({ budget: (id) => (id === 'big' ? 2 : 0.5) });
    await ledger.charge('big', 1.5, T0);
    await expect(ledger.charge('small', 1, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('counts charges dated in the future (a clock stepped back)', async () => {
    const ledger = await openLedger({ budget: 0.5 });
    await ledger.charge('acme', 0.5, T0 + DAY);
    await expect(ledger.charge('acme', 0.5, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('refuses bad arguments', async () => {
    const ledger = await openLedger();
    await expect(ledger.charge('', 0.25)).rejects.toThrow(code('OPTIONS_INVALID'));
    await expect(ledger.charge('acme', 0)).rejects.toThrow(code('POLICY_INVALID'));
    await expect(ledger.charge('acme', 0.25, Number.NaN)).rejects.toThrow(code('OPTIONS_INVALID'));
    await expect(BudgetLedger.open(join(dir, 'x.json'), { budget: -1 })).rejects.toThrow(code('POLICY_INVALID'));
    await expect(BudgetLedger.open(join(dir, 'x.json'), { windowMs: 0 })).rejects.toThrow(code('POLICY_INVALID'));
  });

  it('is opened once per file per process, and refuses use after close', async () => {
    const ledger = await openLedger();
    await expect(BudgetLedger.open(file)).rejects.toThrow(code('OPTIONS_INVALID'));
    await ledger.close();
    await expect(ledger.charge('acme', 0.25)).rejects.toThrow(code('LEDGER_CLOSED'));
    await openLedger();
  });

  it('keeps a charge it could not write, and says so', async () => {
    const ledger = await openLedger({ budget: 1 });
    await rm(dir, { recursive: true, force: true });
    await expect(ledger.charge('acme', 0.75, T0)).rejects.toThrow(code('LEDGER_WRITE_FAILED'));
    // An I/O error must never hand out budget.
    expect(ledger.status('acme', T0).spentMicros).toBe(750_000);
    await expect(ledger.charge('acme', 0.5, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('survives a crash mid-write: the previous file is whole, a half-written temp file is ignored', async () => {
    const first = await openLedger({ budget: 1 });
    await first.charge('acme', 0.75, T0);
    await first.close();
    const before = await readFile(file, 'utf8');
    // What a crash between open(temp) and rename leaves: a partial temporary file.
    await writeFile(join(dir, '.budget.json.0123456789ab.tmp'), before.slice(0, 25));
    const second = await openLedger({ budget: 1 });
    expect(await readFile(file, 'utf8')).toBe(before);
    await expect(second.charge('acme', 0.5, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('leaves no temporary files behind', async () => {
    const ledger = await openLedger();
    await Promise.all([ledger.charge('a', 0.25, T0), ledger.charge('b', 0.25, T0), ledger.chargeItems('a', 5, 10, T0)]);
    expect(await readdir(dir)).toEqual(['budget.json']);
  });
});

describe('BudgetLedger: the daily item quota', () => {
  it('charges items per UTC day, refunds them, and keeps them across a restart', async () => {
    const first = await openLedger();
    expect(await first.chargeItems('acme', 10_000, 50_000, T0)).toBe(true);
    expect(await first.chargeItems('acme', 45_000, 50_000, T0)).toBe(false);
    await first.refundItems('acme', 4_000, T0);
    expect(first.itemsUsed('acme', T0)).toBe(6_000);
    await first.close();
    const second = await openLedger();
    expect(second.itemsUsed('acme', T0)).toBe(6_000);
    expect(await second.chargeItems('acme', 45_000, 50_000, T0)).toBe(false);
    // A new UTC day starts afresh.
    expect(second.itemsUsed('acme', T0 + DAY)).toBe(0);
    expect(await second.chargeItems('acme', 45_000, 50_000, T0 + DAY)).toBe(true);
  });
});

describe('BudgetLedger: a corrupt file is an error, never a fresh budget', () => {
  const valid = { format: 'blindjoin-budget-ledger', version: 1, tokens: { acme: { releases: [{ at: T0, epsilonMicros: 250_000 }] } } };
  const cases: [string, string][] = [
    ['an empty file', ''],
    ['truncated JSON', JSON.stringify(valid).slice(0, 40)],
    ['not JSON', 'hello'],
    ['another format', JSON.stringify({ ...valid, format: 'other' })],
    ['another version', JSON.stringify({ ...valid, version: 2 })],
    ['an array', '[]'],
    ['a negative epsilon', JSON.stringify({ ...valid, tokens: { acme: { releases: [{ at: T0, epsilonMicros: -5 }] } } })],
    ['a fractional epsilon', JSON.stringify({ ...valid, tokens: { acme: { releases: [{ at: T0, epsilonMicros: 0.5 }] } } })],
    ['a string time', JSON.stringify({ ...valid, tokens: { acme: { releases: [{ at: 'yesterday', epsilonMicros: 5 }] } } })],
    ['releases missing', JSON.stringify({ ...valid, tokens: { acme: {} } })],
    ['an unknown field', JSON.stringify({ ...valid, tokens: { acme: { releases: [], refunds: [] } } })],
    ['a bad item day', JSON.stringify({ ...valid, tokens: { acme: { releases: [], items: { day: 'today', used: 1 } } } })],
  ];

  it.each(cases)('refuses %s with LEDGER_CORRUPT and leaves the file as it was', async (_what, text) => {
    await writeFile(file, text);
    await expect(BudgetLedger.open(file)).rejects.toThrow(code('LEDGER_CORRUPT'));
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('reads a valid file', async () => {
    await writeFile(file, JSON.stringify(valid));
    const ledger = await openLedger();
    expect(ledger.status('acme', T0).spentMicros).toBe(250_000);
  });

  it('treats a token id such as __proto__ as an ordinary key', async () => {
    const ledger = await openLedger({ budget: 0.5 });
    await ledger.charge('__proto__', 0.5, T0);
    await ledger.close();
    const again = await openLedger({ budget: 0.5 });
    await expect(again.charge('__proto__', 0.5, T0)).rejects.toThrow(code('BUDGET_EXCEEDED'));
  });

  it('reports an unreadable path as LEDGER_UNREADABLE', async () => {
    await expect(BudgetLedger.open(dir)).rejects.toThrow(code('LEDGER_UNREADABLE'));
    await expect(BudgetLedger.open(dir)).rejects.toBeInstanceOf(PsiError);
  });
});
