import { appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PsiError } from '../errors.js';
import { budgetView } from '../service/budget-view.js';
import type { TermsBudget } from '../wire/terms.js';
import { openServiceState, type ServiceState } from '../service/state.js';
import type { CliIo } from './io.js';

/**
 * Options of `blindjoin budget show|reset`, as parsed from their flags.
 *
 * @example
 * ```ts
 * const opts: BudgetCommandOptions = { stateDir: '/var/lib/blindjoin', tokenId: 'acme', json: true, budgetWindow: 30 * 86_400_000 };
 * ```
 */
export interface BudgetCommandOptions {
  stateDir: string;
  /** One token; default every token the ledger holds. */
  tokenId?: string;
  json: boolean;
  /** The service's `--budget` (default 1). */
  budget?: number;
  /** The service's `--budget-window`. */
  budgetWindow: number;
  /** The service's `--epsilon` per release (default 0.25), for releases left. */
  epsilon?: number;
}

/**
 * One line of `budget-audit.jsonl` in the state directory: who was reset, when,
 * and what it had spent. Never a token.
 *
 * @example
 * ```ts
 * const line: BudgetAuditEntry = { at: '2026-01-01T00:00:00.000Z', action: 'reset', tokenId: 'acme', spent: 0.75 };
 * ```
 */
export interface BudgetAuditEntry {
  at: string;
  action: 'reset';
  tokenId: string;
  /** Epsilon spent within the window before the reset. */
  spent: number;
}

/** The operator's view of one token. */
type TokenBudget = { tokenId: string } & TermsBudget;

/** Opens an existing state directory (never creates one: a mistyped path must not look like a fresh budget). */
async function openExisting(opts: BudgetCommandOptions): Promise<ServiceState> {
  const found = await stat(opts.stateDir).catch(() => undefined);
  if (found?.isDirectory() !== true) throw new PsiError('OPTIONS_INVALID', `no state directory at ${opts.stateDir}`);
  return openServiceState(opts.stateDir, {
    ...(opts.budget === undefined ? {} : { budget: opts.budget }),
    windowMs: opts.budgetWindow,
  });
}

async function viewsOf(state: ServiceState, opts: BudgetCommandOptions): Promise<TokenBudget[]> {
  const ids = opts.tokenId === undefined ? state.budget.tokenIds() : [opts.tokenId];
  return Promise.all(ids.map(async (tokenId) => ({ tokenId, ...(await budgetView(state.budget, tokenId, opts.epsilon ?? 0.25)) })));
}

function describe(b: TokenBudget): string {
  const next = b.nextCreditAt === null ? '' : `; the oldest charge stops counting at ${b.nextCreditAt}`;
  return `${b.tokenId}: spent ${b.spent} of ${b.budget} in the last ${b.window}, ${b.remaining} left (${b.releasesLeft} releases)${next}`;
}

/**
 * `blindjoin budget show`: where each token's privacy budget stands.
 *
 * @example
 * ```ts
 * await budgetShow({ stateDir: 'state', json: false, budgetWindow: 30 * 86_400_000 }, io);
 * ```
 */
export async function budgetShow(opts: BudgetCommandOptions, io: CliIo): Promise<TokenBudget[]> {
  const state = await openExisting(opts);
  try {
    const tokens = await viewsOf(state, opts);
    if (opts.json) io.out(`${JSON.stringify({ tokens })}\n`);
    else io.out(tokens.length === 0 ? 'no token has spent any budget\n' : `${tokens.map(describe).join('\n')}\n`);
    return tokens;
  } finally {
    await state.close();
  }
}

/**
 * `blindjoin budget reset`: forgets the epsilon charges of one token (or every
 * token), after appending one audit line per token to `budget-audit.jsonl`.
 *
 * @example
 * ```ts
 * await budgetReset({ stateDir: 'state', tokenId: 'acme', json: false, budgetWindow: 30 * 86_400_000 }, io);
 * ```
 */
export async function budgetReset(opts: BudgetCommandOptions, io: CliIo): Promise<BudgetAuditEntry[]> {
  const state = await openExisting(opts);
  const audit = join(opts.stateDir, 'budget-audit.jsonl');
  try {
    const entries: BudgetAuditEntry[] = [];
    for (const tokenId of opts.tokenId === undefined ? state.budget.tokenIds() : [opts.tokenId]) {
      const entry: BudgetAuditEntry = { at: new Date().toISOString(), action: 'reset', tokenId, spent: state.budget.status(tokenId).spent };
      // The audit line first: no reset goes unrecorded.
      try {
        await appendFile(audit, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      } catch (e) {
        throw new PsiError('LEDGER_WRITE_FAILED', `cannot append to ${audit}: ${(e as Error).message}`, { cause: e });
      }
      await state.budget.reset(tokenId);
      entries.push(entry);
    }
    if (opts.json) io.out(`${JSON.stringify({ reset: entries })}\n`);
    else
      io.out(
        entries.length === 0 ? 'nothing to reset\n' : `${entries.map((e) => `reset ${e.tokenId} (had spent ${e.spent})`).join('\n')}\n`,
      );
    return entries;
  } finally {
    await state.close();
  }
}
