import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { BudgetLedger } from '../../src/service/ledger.js';
import { MemoryBudget, type PrivacyBudget } from '../../src/disclosure/memory-budget.js';

const DAY = 86_400_000;

it('MemoryBudget and BudgetLedger report the same status after the same charges', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bj-status-'));
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 60 * DAY }), epsilon: fc.constantFrom(0.1, 0.25, 0.3) }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 90 * DAY }),
        async (charges, now) => {
          const ledger = await BudgetLedger.open(join(dir, `ledger-${n++}.json`), { budget: 2, windowMs: 30 * DAY });
          const memory = new MemoryBudget({ budget: 2, windowMs: 30 * DAY });
          try {
            const budgets: PrivacyBudget[] = [ledger, memory];
            for (const { at, epsilon } of [...charges].sort((a, b) => a.at - b.at)) {
              const outcomes = await Promise.all(
                budgets.map((b) =>
                  b.charge('acme', epsilon, at).then(
                    () => 'ok',
                    () => 'refused',
                  ),
                ),
              );
              expect(outcomes[0]).toBe(outcomes[1]);
            }
            expect(memory.status('acme', now)).toEqual(ledger.status('acme', now));
          } finally {
            await ledger.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('resets one token of a ledger, on disk, and lists the tokens it holds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bj-reset-'));
  const path = join(dir, 'ledger.json');
  try {
    const ledger = await BudgetLedger.open(path);
    await ledger.charge('acme', 0.5);
    await ledger.charge('globex', 0.25);
    expect(ledger.tokenIds()).toEqual(['acme', 'globex']);
    expect((await ledger.reset('acme')).spent).toBe(0.5);
    await ledger.close();
    const again = await BudgetLedger.open(path);
    expect(again.status('acme').spent).toBe(0);
    expect(again.status('globex').spent).toBe(0.25);
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
