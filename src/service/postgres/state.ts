import type { BudgetLedgerOptions } from '../ledger.js';
import type { ItemCounter } from '../admission.js';
import { openDatabase, pingDatabase, type Database } from './database.js';
import { PostgresBudget } from './budget.js';
import { PostgresItemCounter } from './item-counter.js';
import { migrateDatabase } from './migrations.js';
import { sharedNoiseKey } from './noise-key.js';
import { PostgresRelationshipStates } from './relationship-states.js';
import { SessionRegistry } from './registry.js';

/**
 * What replicas of one service share in PostgreSQL: privacy budgets, daily item
 * quotas, the noise key, the session registry and relationships' states.
 *
 * @example
 * ```ts
 * const state = await openPostgresState('postgres://127.0.0.1/blindjoin', { sessionTtlMs: 3_600_000 });
 * const service = new SessionService({ items, budget: state.budget, itemCounter: state.itemCounter, noiseKey: state.noiseKey });
 * ```
 */
export interface PostgresState {
  readonly db: Database;
  readonly budget: PostgresBudget;
  readonly itemCounter: ItemCounter;
  readonly noiseKey: Uint8Array;
  readonly registry: SessionRegistry;
  readonly relationshipStates: PostgresRelationshipStates;
  /** Throws `DATABASE_UNREACHABLE` while the database does not answer. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to the database at `url`, applies pending migrations and reads (or
 * creates) the shared noise key. Fails with `DATABASE_UNREACHABLE`,
 * `DATABASE_FAILED` or `DATABASE_SCHEMA_NEWER` before anything is served.
 *
 * @example
 * ```ts
 * const state = await openPostgresState(process.env.BLINDJOIN_DATABASE_URL!, { budget: 1, sessionTtlMs: 3_600_000 });
 * await state.close();
 * ```
 */
export async function openPostgresState(
  url: string,
  options: BudgetLedgerOptions & { sessionTtlMs?: number; poolSize?: number; log?: (line: string) => void } = {},
): Promise<PostgresState> {
  const db = openDatabase(url, options.poolSize === undefined ? {} : { max: options.poolSize });
  try {
    await pingDatabase(db);
    const { applied, version } = await migrateDatabase(db);
    if (applied.length > 0) options.log?.(`database schema migrated to version ${version} (applied ${applied.join(', ')})`);
    const noiseKey = await sharedNoiseKey(db);
    const budget = new PostgresBudget(db, options);
    const registry = new SessionRegistry(db, { ttlMs: options.sessionTtlMs ?? 3_600_000, ...(options.log ? { log: options.log } : {}) });
    return {
      db,
      budget,
      itemCounter: new PostgresItemCounter(db),
      noiseKey,
      registry,
      relationshipStates: new PostgresRelationshipStates(db),
      ready: () => pingDatabase(db),
      async close() {
        registry.close();
        await db.end();
      },
    };
  } catch (e) {
    await db.end().catch(() => undefined);
    throw e;
  }
}
