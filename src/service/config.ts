import type { Epsilon } from '../disclosure/epsilon.js';
import { rationalToNumber } from '../disclosure/epsilon.js';
import type { PrivacyBudget } from '../disclosure/memory-budget.js';
import { resolvePolicy, type DisclosurePolicy } from '../disclosure/policy.js';
import { PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import { checkBackendChoice, type GroupName } from '../group/suite.js';
import type { PlatformColumns } from '../measurement/platform-columns.js';
import { checkValueColumn } from '../measurement/values.js';
import { protocolSuite } from '../protocol/suite.js';
import type { RelationshipStates } from '../store/relationship.js';
import { optionalIntegerIn } from '../validate.js';
import { MAX_VALUE_COLUMNS } from '../wire/measure.js';
import { parseReveal, type Reveal } from '../wire/reveal.js';
import type { ServiceTerms } from '../wire/terms.js';
import type { ItemCounter } from './admission.js';
import type { AudienceStore } from './audiences/store.js';
import type { KeyRotation } from './key-rotation.js';
import type { ServiceObserver } from './observer.js';
import type { MatchedRow, SessionResult } from './result.js';
import type { SessionLimits } from './session-store.js';
import type { StoreSets } from './store-sets.js';

/**
 * Options of {@link SessionService}. Only `items` (or a `store`) is required; every
 * bound has a default suited to one platform box.
 *
 * @example
 * ```ts
 * const opts: SessionServiceOptions = { items: emails, itemsPerDay: 5_000_000, maxSessionsPerToken: 4 };
 * ```
 */
export interface SessionServiceOptions {
  /** The platform's own items (normalised identifiers); give these or `store`. */
  items?: readonly (string | Uint8Array)[];
  /**
   * The platform's users blinded once per key epoch (`blindjoin prepare`, opened
   * with `openStoreSets`): sessions read them from disk instead of blinding
   * `items`, and the row map names matched rows (`rows` does not apply).
   */
  store?: StoreSets;
  /** Row of each item in the platform's input, for results; default line `i + 1` and the item itself. */
  rows?: readonly MatchedRow[];
  /**
   * Set when `rows` are users with several identifiers (items of one user share
   * its row, `line`): the names of the row `cells` written for each matched user.
   * Results and released figures then count users, not identifiers.
   */
  rowColumns?: readonly string[];
  /**
   * The identifier types of `items` (e.g. `['email', 'phone']`), published in the
   * terms so that a client leaves out keys of other types, which could not match
   * and would cost it and the service work. Default: not published.
   */
  keyTypes?: readonly string[];
  /**
   * Value columns clients may ask to have summed over the matched users and
   * released (`serve --values`): per item values (aligned with `items`) and the
   * clamp bound of each column, the most one user adds to its sum. Each figure
   * released costs one epsilon of the client's budget. docs/measurement.md.
   */
  values?: PlatformColumns;
  /**
   * Sum clients' encrypted value columns (default: only under exact disclosure,
   * which is a membership oracle already). Their guarantee holds
   * only against a semi-honest client, one that encrypts values within the bound
   * it declares: a malicious one can learn which of a few dozen chosen rows
   * matched (docs/measurement.md, threat model).
   */
  advertiserValues?: boolean;
  /** What the service learns; default `'intersection'`. */
  learn?: Reveal;
  /**
   * What clients learn: `'released'` under a policy (the default), else `'size'`
   * (or as given). See {@link SessionServiceOptions.disclosure}.
   */
  peerLearns?: Reveal;
  /**
   * `'policy'` (default): clients learn no match cryptographically, only a figure
   * released under `policy` (noised, thresholded, rounded, charged to a privacy
   * budget; docs/privacy.md). `'exact'`: clients learn `peerLearns` exactly,
   * which makes the service a membership oracle, secure only against
   * honest-but-curious clients.
   */
  disclosure?: 'policy' | 'exact';
  /** The disclosure policy of released figures; defaults in docs/privacy.md. */
  policy?: DisclosurePolicy;
  /** Fewest distinct items a client must bring; default 100 under a policy, 1 otherwise. */
  minItems?: number;
  /** Where named audiences are kept (docs/audiences.md); default in memory, forgotten on restart. */
  audiences?: AudienceStore;
  /**
   * Audiences not refreshed within this many ms are deleted (the default audience
   * store, and `openPlatform`'s, which also sweeps them hourly); default never.
   */
  audienceRetentionMs?: number;
  /** Smallest audience that is usable for targeting, decided on the released figure; default 100. */
  minAudience?: number;
  /** Where each release is charged; default a {@link MemoryBudget} of epsilon 1 per 30 days (forgotten on restart). */
  budget?: PrivacyBudget;
  /** PRF key of consistent noise (32 bytes); default drawn at start, so answers stay consistent until a restart. */
  noiseKey?: Uint8Array;
  /** Per-token daily item counts; default in memory. */
  itemCounter?: ItemCounter;
  /** Items per token per UTC day when its entry sets none; default unlimited. */
  itemsPerDay?: number;
  /** Sessions a token may start per UTC day; default 1,000. */
  sessionsPerDay?: number;
  /** Most distinct items a client may bring to one session; default 10,000,000. */
  maxItems?: number;
  /** Sessions in progress at once; default 16. */
  maxSessions?: number;
  /** Sessions in progress at once under one token; default an eighth of `maxSessions`, rounded down, at least 1 (2 of 16). */
  maxSessionsPerToken?: number;
  /** Drop a session idle this long; default 120 s. */
  idleTimeoutMs?: number;
  /** Drop a session this old; default 1 h. */
  sessionTtlMs?: number;
  /** Key lifetime; default one day under a policy (consistent figures), `'session'` (a fresh key per session) under exact disclosure. */
  keyRotation?: KeyRotation;
  /** Target size of the frames in one reply; default 8 MiB (always at least one frame). */
  responseBytes?: number;
  /**
   * Group suite of every session; default `'x25519'`. A client on another suite is
   * refused at its HELLO with `GROUP_MISMATCH` (409) before any blinding.
   */
  group?: GroupName | undefined;
  /** Arithmetic backend of the suite; default `'auto'`. */
  backend?: BackendChoice | undefined;
  workers?: number | undefined;
  chunkItems?: number;
  /** Receives the service's events (sessions started, ended, refused), e.g. its metrics; default none. */
  observer?: ServiceObserver;
  /**
   * Receives each finished session's result, after the session's last answer
   * (so that its work never delays the RELEASE); if it fails, the session's
   * status reports `RESULT_WRITE_FAILED`. The token's audiences are read after
   * it: it must not wait on them itself.
   */
  onResult?: (result: SessionResult) => void | Promise<void>;
  /** Receives one line per session event; default silent. Never sees a key or a token. */
  log?: (line: string) => void;
  /** Where relationships keep their state; default `state.json` beside their kept files in the store. */
  relationshipStates?: RelationshipStates;
  /** Hears the id of every session dropped (done and collected, refused, aborted, expired), e.g. to unregister it. */
  onSessionRemoved?: (sessionId: string) => void;
}

const DEFAULTS = {
  maxItems: 10_000_000,
  maxSessions: 16,
  sessionsPerDay: 1_000,
  minItems: 100,
  minAudience: 100,
  idleTimeoutMs: 120_000,
  sessionTtlMs: 3_600_000,
  responseBytes: 8 << 20,
};
const DAY_MS = 86_400_000;

/**
 * {@link SessionServiceOptions} checked, with every default filled in: what a
 * {@link SessionService} runs on.
 *
 * @example
 * ```ts
 * const config = resolveServiceConfig({ items: emails });
 * config.terms.minItems; // 100
 * ```
 */
export interface ServiceConfig {
  /** The options as given, with the group and the row columns settled (a store's when not given). */
  readonly options: SessionServiceOptions & { readonly group: GroupName };
  readonly learn: Reveal;
  readonly peerLearns: Reveal;
  /** The disclosure policy of released figures; none under exact disclosure. */
  readonly policy: DisclosurePolicy | undefined;
  /** Epsilon charged per released figure: the policy's, else its default; none under exact disclosure. */
  readonly releaseEpsilon: Epsilon | undefined;
  /** What `GET /v1/terms` publishes. */
  readonly terms: ServiceTerms;
  readonly maxItems: number;
  readonly minItems: number;
  readonly itemsPerDay: number;
  readonly sessionsPerDay: number;
  readonly responseBytes: number;
  readonly sessionLimits: Omit<SessionLimits, 'onRemove'>;
  readonly keyRotation: KeyRotation;
}

function checkKeyTypes(types: unknown): string[] {
  if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string' && t.length > 0)) {
    throw new PsiError('OPTIONS_INVALID', 'keyTypes must be an array of identifier type names');
  }
  return [...new Set(types)];
}

/** The platform's users: distinct rows of its input, or a store's stored identifiers (its manifest counts no users). */
function usersOf(opts: SessionServiceOptions): number {
  const manifest = opts.store?.current.manifest;
  if (manifest !== undefined) return manifest.elements - manifest.removed;
  if (opts.rows !== undefined) return new Set(opts.rows.map((r) => r.line)).size;
  return opts.items?.length ?? 0;
}

/** Service value columns: names a MEASURE frame can carry, one value per item, a positive bound each. */
function checkServiceValues(values: PlatformColumns, items: number): void {
  if (typeof values !== 'object' || values === null) throw new PsiError('OPTIONS_INVALID', 'values must be an object of columns');
  const names = Object.keys(values);
  if (names.length > MAX_VALUE_COLUMNS || names.some((n) => n.length < 1 || n.length > 64)) {
    throw new PsiError('OPTIONS_INVALID', `values: at most ${MAX_VALUE_COLUMNS} columns, each named in 1..64 characters`);
  }
  for (const [name, column] of Object.entries(values)) {
    checkValueColumn(column.values, name, items);
    if (!Number.isSafeInteger(column.bound) || column.bound < 1) {
      throw new PsiError('OPTIONS_INVALID', `the bound of value column ${name} must be a positive integer`);
    }
  }
}

/**
 * Checks the options of a {@link SessionService} and fills in every default;
 * throws `OPTIONS_INVALID` (or the code of the option's own check) at the first
 * option that does not hold, before anything is opened or blinded.
 *
 * @example
 * ```ts
 * resolveServiceConfig({ items: emails, disclosure: 'exact' }).peerLearns; // 'size'
 * resolveServiceConfig({ items: emails, store: sets }); // throws OPTIONS_INVALID
 * ```
 */
export function resolveServiceConfig(opts: SessionServiceOptions): ServiceConfig {
  if (typeof opts !== 'object' || opts === null) throw new PsiError('OPTIONS_INVALID', 'options must be an object');
  if ((opts.items === undefined) === (opts.store === undefined))
    throw new PsiError('OPTIONS_INVALID', 'give exactly one of items and store');
  if (opts.store !== undefined && (opts.rows !== undefined || opts.keyRotation !== undefined)) {
    throw new PsiError('OPTIONS_INVALID', "a store names its rows and keeps its epoch's key: rows and keyRotation do not apply");
  }
  if (opts.items !== undefined && !Array.isArray(opts.items)) throw new PsiError('ITEMS_INVALID', 'items must be an array');
  if (opts.items !== undefined && opts.rows !== undefined && opts.rows.length !== opts.items.length) {
    throw new PsiError('OPTIONS_INVALID', `rows has ${opts.rows.length} entries for ${opts.items.length} items`);
  }
  const storeGroup = opts.store?.current.manifest.group;
  if (storeGroup !== undefined && opts.group !== undefined && opts.group !== storeGroup) {
    throw new PsiError('OPTIONS_INVALID', `group is '${opts.group}' but the store was blinded in '${storeGroup}'`);
  }
  const suite = protocolSuite(opts.group ?? storeGroup);
  checkBackendChoice(opts.backend, suite);
  const rowColumns = opts.rowColumns ?? opts.store?.current.manifest.columns;
  const options = { ...opts, group: suite.name, ...(rowColumns === undefined ? {} : { rowColumns }) };
  const disclosure = opts.disclosure ?? 'policy';
  if (disclosure !== 'policy' && disclosure !== 'exact') {
    throw new PsiError('OPTIONS_INVALID', `disclosure must be 'policy' or 'exact'; got ${JSON.stringify(disclosure)}`);
  }
  const learn = parseReveal(opts.learn ?? 'intersection', 'learn');
  const peerLearns = parseReveal(opts.peerLearns ?? (disclosure === 'policy' ? 'released' : 'size'), 'peerLearns');
  if ((disclosure === 'policy') !== (peerLearns === 'released')) {
    throw new PsiError(
      'OPTIONS_INVALID',
      `peerLearns '${peerLearns}' contradicts disclosure '${disclosure}': a policy releases figures ('released'), exact disclosure does not`,
    );
  }
  const policy = disclosure === 'policy' ? (opts.policy ?? {}) : undefined;
  const resolved = policy === undefined ? undefined : resolvePolicy(policy);
  const maxItems = optionalIntegerIn(opts.maxItems, 'maxItems', 1, 0xffff_ffff, DEFAULTS.maxItems);
  const minItems = optionalIntegerIn(opts.minItems, 'minItems', 1, maxItems, disclosure === 'policy' ? DEFAULTS.minItems : 1);
  if ((opts.values !== undefined || opts.advertiserValues === true) && opts.items === undefined) {
    // A store's rows are read as matched, not held: its users' values and the advertiser's positions are not at hand.
    throw new PsiError('OPTIONS_INVALID', 'value columns (values, advertiserValues) need items, not a store');
  }
  if (opts.values !== undefined) checkServiceValues(opts.values, opts.items!.length);
  const terms: ServiceTerms = {
    group: suite.name,
    learn,
    peerLearns,
    disclosure,
    minItems,
    maxItems,
    ...(opts.keyTypes === undefined ? {} : { keyTypes: checkKeyTypes(opts.keyTypes) }),
    ...(resolved === undefined
      ? {}
      : {
          policy: {
            epsilon: rationalToNumber(resolved.epsilon),
            threshold: resolved.threshold,
            significantDigits: resolved.significantDigits,
          },
        }),
    ...(opts.values === undefined ? {} : { values: Object.fromEntries(Object.entries(opts.values).map(([n, c]) => [n, c.bound])) }),
    // Exact disclosure is a membership oracle already: the semi-honest caveat of advertiser values takes nothing more from it.
    advertiserValues: opts.advertiserValues ?? (disclosure === 'exact' && opts.items !== undefined),
    users: usersOf(opts),
    minAudience: optionalIntegerIn(opts.minAudience, 'minAudience', 1, Number.MAX_SAFE_INTEGER, DEFAULTS.minAudience),
  };
  const itemsPerDay = optionalIntegerIn(opts.itemsPerDay, 'itemsPerDay', 1, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY);
  const sessionsPerDay = optionalIntegerIn(opts.sessionsPerDay, 'sessionsPerDay', 1, Number.MAX_SAFE_INTEGER, DEFAULTS.sessionsPerDay);
  const responseBytes = optionalIntegerIn(opts.responseBytes, 'responseBytes', 1, 1 << 30, DEFAULTS.responseBytes);
  const maxSessions = optionalIntegerIn(opts.maxSessions, 'maxSessions', 1, 100_000, DEFAULTS.maxSessions);
  return {
    options,
    learn,
    peerLearns,
    policy,
    releaseEpsilon: policy === undefined ? undefined : (policy.epsilon ?? terms.policy!.epsilon),
    terms,
    maxItems,
    minItems,
    itemsPerDay,
    sessionsPerDay,
    responseBytes,
    sessionLimits: {
      maxSessions,
      // An eighth of the slots each: eight tokens must be busy at once before a ninth waits (two could fill half of them).
      maxSessionsPerToken: optionalIntegerIn(
        opts.maxSessionsPerToken,
        'maxSessionsPerToken',
        1,
        maxSessions,
        Math.max(1, Math.floor(maxSessions / 8)),
      ),
      idleTimeoutMs: optionalIntegerIn(opts.idleTimeoutMs, 'idleTimeoutMs', 1, DAY_MS, DEFAULTS.idleTimeoutMs),
      sessionTtlMs: optionalIntegerIn(opts.sessionTtlMs, 'sessionTtlMs', 1, 30 * DAY_MS, DEFAULTS.sessionTtlMs),
    },
    // Under a policy one key per day, so that a repeated list meets the same blinded set and gets the same figure.
    keyRotation: opts.keyRotation ?? (disclosure === 'policy' ? DAY_MS : 'session'),
  };
}
