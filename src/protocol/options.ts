import { PsiError } from '../errors.js';
import { integerIn } from '../validate.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import type { BackendChoice } from '../group/load.js';
import { checkBackendChoice } from '../group/suite.js';
import { MAX_PAYLOAD_BYTES } from '../wire/frame.js';
import { CHUNK_HEADER_BYTES } from '../wire/messages.js';
import { BlindedCache } from './blinded-cache.js';
import { asBlindedSetData, type BlindedSetData } from './blinded-set.js';
import { checkItems, MAX_ITEMS } from './items.js';
import { checkRows } from './rows.js';
import { resolvePolicy, type DisclosurePolicy } from '../disclosure/policy.js';
import { parseReveal, type Reveal } from '../wire/reveal.js';
import type { Role } from './reveal.js';
import { protocolSuite, type ProtocolSuite } from './suite.js';
import type { StoredSet } from './stored-set.js';
import type { PartyOptions } from './types.js';

/** Most elements one chunk frame carries: what fits in a 1 MiB payload. */
export const MAX_CHUNK_ITEMS = Math.floor((MAX_PAYLOAD_BYTES - CHUNK_HEADER_BYTES) / ELEMENT_BYTES);
/** Default bound on the peer's declared distinct items. */
export const DEFAULT_MAX_PEER_ITEMS = 100_000_000;

/** {@link PartyOptions} after validation. */
export interface CheckedOptions {
  role: Role;
  learn: Reveal;
  peerLearns: Reveal;
  maxPeerItems: number;
  chunkItems: number;
  /** The session's group suite: wire code, DST, keys, backends. */
  suite: ProtocolSuite;
  backend: BackendChoice;
  workers: number | undefined;
  items: readonly (string | Uint8Array)[] | undefined;
  rows: readonly (readonly (string | Uint8Array)[])[] | undefined;
  blindedSet: BlindedSetData | undefined;
  storedSet: StoredSet | undefined;
  keySeed: Uint8Array | undefined;
  keyFromItems: boolean;
  blindedCache: BlindedCache | undefined;
  /** Set iff the peer learns `'released'`. */
  release:
    | {
        policy: DisclosurePolicy;
        noiseKey: Uint8Array | undefined;
        context: readonly Uint8Array[];
        countMatches: ((matches: readonly number[]) => number | Promise<number>) | undefined;
      }
    | undefined;
}

/** Party options whose reveal modes the layer building them parsed where they entered. */
const revealParsed = new WeakSet<PartyOptions>();

/**
 * Marks party options built by a layer that parsed `learn` and `peerLearns`
 * at its own boundary (the HTTP client from its caller's options and the
 * service's terms): the options are frozen, so they stay what was parsed, and
 * {@link checkOptions} takes the two modes as they are instead of parsing
 * them again. Every other check still runs.
 *
 * @example
 * ```ts
 * const learn = parseReveal(opts.learn, 'learn'); // once, where the option enters
 * new PsiParty(withParsedReveal({ role: 'initiator', items, learn, peerLearns: terms.learn }));
 * ```
 */
export function withParsedReveal(opts: PartyOptions): PartyOptions {
  revealParsed.add(Object.freeze(opts));
  return opts;
}

/** Whether a mode learns the matched count cryptographically (and so can compute a figure for a peer). */
export function learnsCount(reveal: Reveal): boolean {
  return reveal === 'size' || reveal === 'intersection';
}

function checkBytes(value: unknown, what: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    throw new PsiError('OPTIONS_INVALID', `${what} must be a Uint8Array of ${min}..${max} bytes`);
  }
  return value;
}

/** A released figure needs a peer that learns the count; only one side of a session gets one. */
function checkRelease(opts: PartyOptions, learn: Reveal, peerLearns: Reveal): CheckedOptions['release'] {
  if (learn === 'released' && !learnsCount(peerLearns)) {
    throw new PsiError('OPTIONS_INVALID', "learn 'released' needs a peer that learns 'size' or 'intersection' to compute the figure");
  }
  if (peerLearns !== 'released') {
    if (opts.disclosure !== undefined) throw new PsiError('OPTIONS_INVALID', "disclosure applies only when peerLearns is 'released'");
    return undefined;
  }
  if (!learnsCount(learn))
    throw new PsiError('OPTIONS_INVALID', "peerLearns 'released' needs learn 'size' or 'intersection' to count the match");
  const d = opts.disclosure ?? {};
  if (typeof d !== 'object' || d === null) throw new PsiError('OPTIONS_INVALID', 'disclosure must be an object');
  const context = d.context ?? [];
  if (!Array.isArray(context)) throw new PsiError('OPTIONS_INVALID', 'disclosure.context must be an array of Uint8Arrays');
  context.forEach((c, i) => checkBytes(c, `disclosure.context[${i}]`, 0, 1 << 16));
  const policy = d.policy ?? {};
  resolvePolicy(policy); // refused here, not after the session's work
  return {
    policy,
    noiseKey: d.noiseKey === undefined ? undefined : checkBytes(d.noiseKey, 'disclosure.noiseKey', 32, 32),
    context,
    countMatches: d.countMatches,
  };
}

/** A stored set decides the suite, as a blinded set does; it must at least read and lend its key. */
function checkStoredSet(set: StoredSet | undefined, group: string | undefined): StoredSet | undefined {
  if (set === undefined) return undefined;
  if (typeof set !== 'object' || set === null || typeof set.read !== 'function' || typeof set.copyKey !== 'function') {
    throw new PsiError('OPTIONS_INVALID', 'storedSet must have read() and copyKey() (see openStore)');
  }
  integerIn(set.size, 'storedSet.size', 0, MAX_ITEMS);
  if (group !== undefined && group !== set.group) {
    throw new PsiError('OPTIONS_INVALID', `group is '${group}' but the storedSet was blinded in '${set.group}'`);
  }
  return set;
}

/**
 * Validates caller options up front, so a bad option fails in `createParty`
 * rather than mid-session.
 *
 * @example
 * ```ts
 * checkOptions({ role: 'responder', items: [], learn: 'none', peerLearns: 'size' });
 * ```
 */
export function checkOptions(opts: PartyOptions): CheckedOptions {
  if (typeof opts !== 'object' || opts === null) throw new PsiError('OPTIONS_INVALID', 'options must be an object');
  const { role } = opts;
  if (role !== 'initiator' && role !== 'responder') {
    throw new PsiError('ROLE_INVALID', `role must be 'initiator' or 'responder'; got ${JSON.stringify(role)}`);
  }
  const blindedSet = opts.blindedSet === undefined ? undefined : asBlindedSetData(opts.blindedSet);
  // A blinded set was made in one suite: it decides, and a different explicit choice is a mistake.
  if (blindedSet !== undefined && opts.group !== undefined && opts.group !== blindedSet.group) {
    throw new PsiError('OPTIONS_INVALID', `group is '${opts.group}' but the blindedSet was blinded in '${blindedSet.group}'`);
  }
  const storedSet = checkStoredSet(opts.storedSet, opts.group);
  const suite = protocolSuite(opts.group ?? blindedSet?.group ?? storedSet?.group);
  const backend = checkBackendChoice(opts.backend, suite);
  const { items, rows } = opts;
  if ([items, rows, blindedSet, storedSet].filter((given) => given !== undefined).length !== 1) {
    throw new PsiError('OPTIONS_INVALID', 'give exactly one of items, rows, blindedSet and storedSet');
  }
  if (items !== undefined) checkItems(items);
  if (rows !== undefined) checkRows(rows);
  const parsed = revealParsed.has(opts);
  const learn = parsed ? opts.learn : parseReveal(opts.learn, 'learn');
  const peerLearns = parsed ? opts.peerLearns : parseReveal(opts.peerLearns, 'peerLearns');
  const keyFromItems = opts.keyFromItems ?? false;
  if (typeof keyFromItems !== 'boolean') throw new PsiError('OPTIONS_INVALID', 'keyFromItems must be a boolean');
  // A key that is a function of the list alone would let the peer test guesses of the unmatched items offline.
  if (keyFromItems && opts.keySeed === undefined) {
    throw new PsiError('OPTIONS_INVALID', 'keyFromItems needs a keySeed: the secret that keeps the key from being a function of the list');
  }
  if ((blindedSet !== undefined || storedSet !== undefined) && (keyFromItems || opts.keySeed !== undefined)) {
    throw new PsiError('OPTIONS_INVALID', 'a blindedSet or storedSet brings its own key: keySeed and keyFromItems do not apply');
  }
  const { blindedCache } = opts;
  if (blindedCache !== undefined && !(blindedCache instanceof BlindedCache)) {
    throw new PsiError('OPTIONS_INVALID', 'blindedCache must be a BlindedCache');
  }
  // Cached elements are only worth keeping under a key that outlives the session.
  if (blindedCache !== undefined && opts.keySeed === undefined) {
    throw new PsiError('OPTIONS_INVALID', 'blindedCache needs a keySeed: without it every session draws a fresh key');
  }
  return {
    role,
    learn,
    peerLearns,
    maxPeerItems: opts.maxPeerItems === undefined ? DEFAULT_MAX_PEER_ITEMS : integerIn(opts.maxPeerItems, 'maxPeerItems', 1, MAX_ITEMS),
    chunkItems: opts.chunkItems === undefined ? MAX_CHUNK_ITEMS : integerIn(opts.chunkItems, 'chunkItems', 1, MAX_CHUNK_ITEMS),
    suite,
    backend,
    workers: opts.workers === undefined ? undefined : integerIn(opts.workers, 'workers', 1, 1024),
    items,
    rows,
    blindedSet,
    storedSet,
    keySeed: opts.keySeed === undefined ? undefined : checkBytes(opts.keySeed, 'keySeed', 16, 1024),
    keyFromItems,
    blindedCache,
    release: checkRelease(opts, learn, peerLearns),
  };
}
