import { PsiError } from '../errors.js';
import { integerIn } from '../validate.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import type { BackendChoice } from '../group/load.js';
import { checkBackendChoice } from '../group/suite.js';
import { MAX_PAYLOAD_BYTES } from '../wire/frame.js';
import { CHUNK_HEADER_BYTES } from '../wire/messages.js';
import { asBlindedSetData, type BlindedSetData } from './blinded-set.js';
import { checkItems, MAX_ITEMS } from './items.js';
import { parseReveal, type Reveal } from '../wire/reveal.js';
import type { Role } from './reveal.js';
import { protocolSuite, type ProtocolSuite } from './suite.js';
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
  blindedSet: BlindedSetData | undefined;
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
  const suite = protocolSuite(opts.group ?? blindedSet?.group);
  const backend = checkBackendChoice(opts.backend, suite);
  const items = opts.items;
  if ((items === undefined) === (blindedSet === undefined)) {
    throw new PsiError('OPTIONS_INVALID', 'give exactly one of items and blindedSet');
  }
  if (items !== undefined) checkItems(items);
  return {
    role,
    learn: parseReveal(opts.learn, 'learn'),
    peerLearns: parseReveal(opts.peerLearns, 'peerLearns'),
    maxPeerItems: opts.maxPeerItems === undefined ? DEFAULT_MAX_PEER_ITEMS : integerIn(opts.maxPeerItems, 'maxPeerItems', 1, MAX_ITEMS),
    chunkItems: opts.chunkItems === undefined ? MAX_CHUNK_ITEMS : integerIn(opts.chunkItems, 'chunkItems', 1, MAX_CHUNK_ITEMS),
    suite,
    backend,
    workers: opts.workers === undefined ? undefined : integerIn(opts.workers, 'workers', 1, 1024),
    items,
    blindedSet,
  };
}
