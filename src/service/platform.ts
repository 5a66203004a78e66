import type { Epsilon } from '../disclosure/epsilon.js';
import { PsiError } from '../errors.js';
import { currentEpoch } from '../store/layout.js';
import { fileAudienceRecords, fileAudienceStore } from './audiences/file-records.js';
import { RetainedAudiences } from './audiences/store.js';
import type { SessionServiceOptions } from './config.js';
import { SessionService } from './engine.js';
import { postgresAudienceRecords } from './postgres/audience-records.js';
import type { SessionRegistry } from './postgres/registry.js';
import { openPostgresState } from './postgres/state.js';
import { prepareOutDir, writeSessionResult } from './result-files.js';
import { openServiceState } from './state.js';
import { openStoreSets } from './store-sets.js';

/**
 * Options of {@link openPlatform}: the session service's, plus where the
 * platform keeps what outlives a session (its store, its state, its results).
 *
 * @example
 * ```ts
 * const opts: PlatformOptions = { storeDir: 'store', stateDir: 'state', outDir: 'results', itemsPerDay: 5_000_000 };
 * ```
 */
export interface PlatformOptions extends SessionServiceOptions {
  /**
   * Directory receiving one result per finished session (checked at open), and
   * the audiences (`audiences/`, `audiences.jsonl`; docs/audiences.md).
   */
  outDir?: string;
  /**
   * Directory of a prepared store (`blindjoin prepare`) to serve instead of
   * `items`: opened and verified here (`STORE_*` errors), its current epoch
   * logged, rollovers followed at each new session.
   */
  storeDir?: string;
  /**
   * Directory of the state that must survive restarts: privacy budgets, daily
   * item counts, the noise key (see `openServiceState`). Without it they live in
   * memory and a restart forgets what each token has spent.
   */
  stateDir?: string;
  /**
   * PostgreSQL connection URL (`postgres://...`) of the state shared by replicas:
   * budgets, quotas, the noise key, the session registry, relationships' states
   * and the audiences, instead of `stateDir`. Migrations are applied at open.
   * docs/deploy-postgres.md.
   */
  database?: string;
  /** Privacy budget per token per window when `stateDir` or `database` is given; default epsilon 1 per 30 days. */
  budgetEpsilon?: Epsilon;
  budgetWindowMs?: number;
}

/**
 * A platform ready to serve: its one {@link SessionService}, with the store,
 * state, result files and audiences it was built on.
 *
 * @example
 * ```ts
 * const platform = await openPlatform({ storeDir: 'store', stateDir: 'state', outDir: 'results' });
 * const handler = createPsiHandler(platform.service, { tokens });
 * await platform.close();
 * ```
 */
export interface Platform {
  readonly service: SessionService;
  /**
   * With `database`: where the fleet's sessions are registered. A server starts
   * it once it knows the URL other replicas reach it at, and forwards requests
   * for sessions another replica holds.
   */
  readonly registry: SessionRegistry | undefined;
  /** Throws while the platform cannot serve: the database does not answer, or the store lost its current epoch. */
  ready(): Promise<void>;
  /** Closes the service (dropping its sessions, zeroising its keys), then the state. */
  close(): Promise<void>;
}

/**
 * The platform's composition root: checks the results directory, opens the
 * store (`storeDir`), the state (`database`, else `stateDir`, else memory), the
 * audiences (in PostgreSQL mirrored to `outDir`, else in `outDir`, else
 * memory) and builds the one {@link SessionService} on them, whose results are
 * written under `outDir` and then handed to `onResult`. A failure closes
 * whatever was opened and rejects; nothing is left running.
 *
 * @example
 * ```ts
 * const platform = await openPlatform({ items: users, stateDir: '/var/lib/blindjoin', outDir: 'results' });
 * const exchange = await platform.service.open(token, decodeFrame(hello), hello);
 * await platform.close();
 * ```
 */
export async function openPlatform(opts: PlatformOptions): Promise<Platform> {
  const { outDir, storeDir, onResult, onSessionRemoved } = opts;
  const log = opts.log ?? (() => undefined);
  if (outDir !== undefined) await prepareOutDir(outDir);
  const undo: (() => void | Promise<void>)[] = [];
  try {
    const store =
      storeDir === undefined
        ? opts.store
        : await openStoreSets(storeDir, { ...(opts.group === undefined ? {} : { group: opts.group }), log });
    if (storeDir !== undefined) undo.push(() => store!.close());
    const budgetOptions = {
      ...(opts.budgetEpsilon === undefined ? {} : { budget: opts.budgetEpsilon }),
      ...(opts.budgetWindowMs === undefined ? {} : { windowMs: opts.budgetWindowMs }),
    };
    const shared =
      opts.database === undefined
        ? undefined
        : await openPostgresState(opts.database, {
            ...budgetOptions,
            ...(opts.sessionTtlMs === undefined ? {} : { sessionTtlMs: opts.sessionTtlMs }),
            log,
          });
    const state = shared ?? (opts.stateDir === undefined ? undefined : await openServiceState(opts.stateDir, budgetOptions));
    if (state !== undefined) undo.push(() => state.close());
    const retention = opts.audienceRetentionMs === undefined ? {} : { retentionMs: opts.audienceRetentionMs };
    const audiences =
      shared === undefined
        ? (opts.audiences ?? (outDir === undefined ? undefined : fileAudienceStore(outDir, retention)))
        : // Shared by the replicas; the files under outDir, for the platform's ad server, follow each committed change.
          new RetainedAudiences(
            postgresAudienceRecords(shared.db, outDir === undefined ? undefined : fileAudienceRecords(outDir)),
            retention,
          );
    const registry = shared?.registry;
    const service = new SessionService({
      ...opts,
      ...(store === undefined ? {} : { store }),
      ...(state === undefined ? {} : { budget: state.budget, itemCounter: state.itemCounter, noiseKey: state.noiseKey }),
      ...(shared === undefined ? {} : { relationshipStates: shared.relationshipStates }),
      ...(audiences === undefined ? {} : { audiences }),
      onResult: async (result) => {
        if (outDir !== undefined) await writeSessionResult(outDir, result);
        await onResult?.(result);
      },
      ...(registry === undefined
        ? {}
        : {
            onSessionRemoved: (id: string) => {
              registry.release(id);
              onSessionRemoved?.(id);
            },
          }),
    });
    // Retention applies at start, hourly, and on every access.
    if (opts.audienceRetentionMs !== undefined) service.audiences.startExpiry(log);
    let closed: Promise<void> | undefined;
    return {
      service,
      registry,
      async ready() {
        await shared?.ready();
        // The store verified at open must still be there: a lost network mount would fail every session.
        if (storeDir !== undefined && (await currentEpoch(storeDir)) === undefined) {
          throw new PsiError('STORE_NOT_FOUND', `${storeDir} names no current epoch`);
        }
      },
      close() {
        closed ??= (async () => {
          await service.close();
          await state?.close();
        })();
        return closed;
      },
    };
  } catch (e) {
    for (const step of undo.reverse()) await step();
    throw e;
  }
}
