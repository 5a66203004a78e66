import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { BudgetLedger } from './ledger.js';
import type { Epsilon } from '../disclosure/epsilon.js';
import { PsiError } from '../errors.js';
import type { ItemCounter } from './admission.js';
import { lockStateDir } from './state-lock.js';

/**
 * What a service keeps across restarts, in one directory: the privacy budget and
 * daily item counts of every token (`ledger.json`), and the key of consistent
 * noise (`noise.key`, mode 0600, readable by the service's user only).
 *
 * @example
 * ```ts
 * const state = await openServiceState('/var/lib/blindjoin');
 * const service = new SessionService({ items, budget: state.budget, itemCounter: state.itemCounter, noiseKey: state.noiseKey });
 * ```
 */
export interface ServiceState {
  budget: BudgetLedger;
  itemCounter: ItemCounter;
  noiseKey: Uint8Array;
  close(): Promise<void>;
}

async function noiseKeyIn(dir: string): Promise<Uint8Array> {
  const path = join(dir, 'noise.key');
  try {
    const key = new Uint8Array(await readFile(path));
    if (key.length !== 32) throw new PsiError('LEDGER_CORRUPT', `${path} must hold 32 bytes, holds ${key.length}`);
    if (((await stat(path)).mode & 0o077) !== 0) {
      throw new PsiError('LEDGER_CORRUPT', `${path} is readable by other users; chmod 600 it`);
    }
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = new Uint8Array(randomBytes(32));
  await writeFileAtomic(path, key);
  await chmod(path, 0o600);
  return key;
}

/**
 * Opens (or creates) a service's state directory and takes its exclusive lock
 * (`service.lock`): a second service on the same directory is refused with
 * `STATE_LOCKED` until `close()`, or until the first process is gone.
 *
 * @example
 * ```ts
 * const state = await openServiceState('state', { budget: 1, windowMs: 30 * 86_400_000 });
 * await state.close();
 * ```
 */
export async function openServiceState(dir: string, options: { budget?: Epsilon; windowMs?: number } = {}): Promise<ServiceState> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new PsiError('LEDGER_WRITE_FAILED', `cannot create the state directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const lock = await lockStateDir(dir).catch((e: unknown) => {
    if (e instanceof PsiError) throw e;
    throw new PsiError('LEDGER_WRITE_FAILED', `cannot lock the state directory ${dir}: ${(e as Error).message}`, { cause: e });
  });
  let noiseKey: Uint8Array;
  let budget: BudgetLedger;
  try {
    noiseKey = await noiseKeyIn(dir);
    budget = await BudgetLedger.open(join(dir, 'ledger.json'), options);
  } catch (e) {
    await lock.release();
    throw e;
  }
  return {
    budget,
    itemCounter: {
      // The ledger counts in safe integers; "no quota" is the largest of them.
      charge: (id, amount, limit) => budget.chargeItems(id, amount, Math.min(limit, Number.MAX_SAFE_INTEGER)),
      refund: (id, amount) => budget.refundItems(id, amount),
    },
    noiseKey,
    async close() {
      try {
        await budget.close();
      } finally {
        await lock.release();
      }
    },
  };
}
