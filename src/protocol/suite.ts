/**
 * The protocol's view of a group suite: the arithmetic of `src/group/suite.ts` plus
 * what the protocol owns and versions, the handshake's wire code and the hash's
 * domain-separation tag. Choosing a suite by name here is the only place the
 * session's code depends on which suite runs.
 * @module
 */
import { PsiError } from '../errors.js';
import { groupSuite, type GroupName, type GroupSuite } from '../group/suite.js';
import { GROUP_RISTRETTO255, GROUP_X25519 } from '../wire/messages.js';
import { HASH_TO_GROUP_DST, X25519_HASH_DST } from './version.js';

/**
 * A suite as a session runs it.
 *
 * @example
 * ```ts
 * const suite = protocolSuite('x25519');
 * suite.code; // 2, in HELLO and ACCEPT
 * ```
 */
export interface ProtocolSuite extends GroupSuite {
  /** The handshake's group byte. */
  readonly code: number;
  /** expand_message_xmd's domain-separation tag for own items (RFC 9380 §3.1). */
  readonly dst: string;
}

const SUITES: Record<GroupName, ProtocolSuite> = {
  ristretto255: { ...groupSuite('ristretto255'), code: GROUP_RISTRETTO255, dst: HASH_TO_GROUP_DST },
  x25519: { ...groupSuite('x25519'), code: GROUP_X25519, dst: X25519_HASH_DST },
};

/**
 * The suite sessions use when the caller names none: x25519, the faster of the
 * two on every platform measured (docs/protocol.md, "Group suites").
 *
 * @example
 * ```ts
 * createParty({ role: 'initiator', items, learn: 'size', peerLearns: 'none' }); // runs DEFAULT_GROUP
 * ```
 */
export const DEFAULT_GROUP: GroupName = 'x25519';

/**
 * The suite of a name (default {@link DEFAULT_GROUP}); `PsiError('OPTIONS_INVALID')` for an unknown one.
 *
 * @example
 * ```ts
 * protocolSuite('ristretto255').dst; // HASH_TO_GROUP_DST
 * ```
 */
export function protocolSuite(name: GroupName = DEFAULT_GROUP): ProtocolSuite {
  if (!Object.hasOwn(SUITES, name)) groupSuite(name); // throws OPTIONS_INVALID naming the choices
  return SUITES[name];
}

/**
 * The name of the suite a peer announced by wire code, or a description of an
 * unknown code, for `GROUP_MISMATCH` messages.
 *
 * @example
 * ```ts
 * suiteNameOfCode(2); // 'x25519'
 * suiteNameOfCode(9); // 'unknown group 9'
 * ```
 */
export function suiteNameOfCode(code: number): string {
  for (const suite of Object.values(SUITES)) if (suite.code === code) return suite.name;
  return `unknown group ${code}`;
}

/**
 * Refuses a peer's handshake group byte unless it is this party's suite, naming
 * both: a session cannot mix suites (the elements would never match).
 *
 * @example
 * ```ts
 * checkPeerGroup(peer.group, protocolSuite('ristretto255')); // PsiError('GROUP_MISMATCH') if the peer uses x25519
 * ```
 */
export function checkPeerGroup(code: number, own: ProtocolSuite): void {
  if (code === own.code) return;
  throw new PsiError('GROUP_MISMATCH', `peer uses ${suiteNameOfCode(code)}, this party uses ${own.name}`);
}
