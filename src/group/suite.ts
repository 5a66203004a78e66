/**
 * The group suites a session can run on, described once so that the layers above
 * (blinders, worker threads, the protocol) choose one by name instead of branching
 * on it. Both suites have 32-byte elements and keys and hash from 64 uniform bytes,
 * so packed buffers, chunking and the wire keep one shape; what differs is the
 * arithmetic, the key format and which backends exist.
 * @module
 */
import { PsiError } from '../errors.js';
import type { Ristretto255Backend } from './ristretto255/backend.js';
import { ELEMENT_BYTES, SCALAR_BYTES, UNIFORM_BYTES } from './constants.js';
import type { BackendChoice } from './load.js';
import { loadRistretto255Backend } from './ristretto255/load.js';
import { randomScalar, scalarToBigint } from './scalar.js';
import type { X25519AsyncBackend, X25519Backend } from './x25519/backend.js';
import { checkX25519Key, randomX25519Key } from './x25519/key.js';
import { loadX25519Backend } from './x25519/load.js';

/**
 * Names of the group suites: `'ristretto255'` (RFC 9496) and `'x25519'`
 * (Curve25519 u-coordinates, RFC 7748; docs/x25519.md).
 *
 * @example
 * ```ts
 * const group: GroupName = 'x25519';
 * ```
 */
export type GroupName = 'ristretto255' | 'x25519';

/**
 * Every suite name, in wire-code order.
 *
 * @example
 * ```ts
 * GROUP_NAMES.includes('x25519'); // true
 * ```
 */
export const GROUP_NAMES: readonly GroupName[] = ['ristretto255', 'x25519'];

/**
 * A backend that answers synchronously, of either suite: what worker threads and
 * the chunked blinder run. Both suites' backends have this shape.
 *
 * @example
 * ```ts
 * const backend: SyncGroupBackend = await groupSuite('x25519').loadBackend('sodium-native') as SyncGroupBackend;
 * ```
 */
export type SyncGroupBackend = Ristretto255Backend | X25519Backend;

/**
 * Any backend of any suite; only x25519's WebCrypto is asynchronous.
 *
 * @example
 * ```ts
 * const out = await backend.multiply(elements, key); // await works for both kinds
 * ```
 */
export type AnyGroupBackend = SyncGroupBackend | X25519AsyncBackend;

/**
 * What a suite is made of, below the protocol: sizes, keys and backends. The wire
 * code and the hash's domain-separation tag belong to the protocol
 * (`src/protocol/suite.ts`), which versions them.
 *
 * @example
 * ```ts
 * const suite = groupSuite('x25519');
 * const key = suite.randomKey();
 * const backend = await suite.loadBackend('auto');
 * ```
 */
export interface GroupSuite {
  readonly name: GroupName;
  /** Bytes of one element on the wire. */
  readonly elementBytes: number;
  /** Bytes of one secret key. */
  readonly keyBytes: number;
  /** Uniform bytes per item fed to the hash to group (expand_message_xmd output). */
  readonly uniformBytes: number;
  /** Named backends that exist for this suite, fastest first as `'auto'` tries them. */
  readonly backends: readonly Exclude<BackendChoice, 'auto'>[];
  /** A fresh secret key; `random` replaces the CSPRNG only for reproducible tests. */
  randomKey(random?: (length: number) => Uint8Array): Uint8Array;
  /** Throws `PsiError('SCALAR_INVALID')` unless `key` is a valid key of this suite. */
  checkKey(key: Uint8Array): void;
  /**
   * Resolves a backend of this suite. `'auto'` takes the fastest present; a backend
   * of the other suite only is `BACKEND_UNAVAILABLE`, an unknown name `BACKEND_UNKNOWN`.
   */
  loadBackend(choice?: BackendChoice): Promise<AnyGroupBackend>;
}

/** ristretto255: scalars in [1, ℓ) (RFC 9496), WASM then noble. */
const RISTRETTO255: GroupSuite = {
  name: 'ristretto255',
  elementBytes: ELEMENT_BYTES,
  keyBytes: SCALAR_BYTES,
  uniformBytes: UNIFORM_BYTES,
  backends: ['sodium', 'noble'],
  randomKey: (random) => randomScalar(random),
  checkKey: (key) => void scalarToBigint(key),
  loadBackend: (choice = 'auto') => loadRistretto255Backend(choice),
};

/** x25519: clamped 32-byte keys (RFC 7748 §5), sodium-native, WASM, WebCrypto, noble. */
const X25519: GroupSuite = {
  name: 'x25519',
  elementBytes: ELEMENT_BYTES,
  keyBytes: SCALAR_BYTES,
  uniformBytes: UNIFORM_BYTES,
  backends: ['sodium-native', 'sodium', 'webcrypto', 'noble'],
  randomKey: (random) => randomX25519Key(random),
  checkKey: checkX25519Key,
  loadBackend: (choice = 'auto') => loadX25519Backend(choice),
};

/**
 * The suite of a name; `PsiError('OPTIONS_INVALID')` for anything else, so that a
 * typo in an option fails before any work.
 *
 * @example
 * ```ts
 * groupSuite('ristretto255').backends; // ['sodium', 'noble']
 * ```
 */
export function groupSuite(name: GroupName): GroupSuite {
  if (name === 'ristretto255') return RISTRETTO255;
  if (name === 'x25519') return X25519;
  throw new PsiError('OPTIONS_INVALID', `group must be one of ${GROUP_NAMES.map((g) => `'${g}'`).join(', ')}; got ${JSON.stringify(name)}`);
}

/**
 * Narrows a backend to the synchronous kind that worker threads run.
 *
 * @example
 * ```ts
 * if (isSyncBackend(backend)) chunkedBlinder(backend, key);
 * ```
 */
export function isSyncBackend(backend: AnyGroupBackend): backend is SyncGroupBackend {
  return !('async' in backend && backend.async === true);
}

/** Every backend name of either suite. */
const ALL_BACKENDS: readonly string[] = ['sodium-native', 'sodium', 'webcrypto', 'noble'];

/**
 * Validates a caller's backend option for `suite` without loading anything:
 * `'auto'` or one of the suite's backends. A backend of the other suite only is
 * `PsiError('BACKEND_UNAVAILABLE')` (it exists, just not for this suite), any other
 * value `BACKEND_UNKNOWN`; both messages list the suite's choices.
 *
 * @example
 * ```ts
 * checkBackendChoice('sodium-native', groupSuite('x25519'));       // 'sodium-native'
 * checkBackendChoice('sodium-native', groupSuite('ristretto255')); // throws BACKEND_UNAVAILABLE
 * ```
 */
export function checkBackendChoice(choice: unknown, suite: GroupSuite): BackendChoice {
  if (choice === undefined || choice === 'auto') return 'auto';
  if ((suite.backends as readonly unknown[]).includes(choice)) return choice as BackendChoice;
  const choices = ['auto', ...suite.backends].map((b) => `'${b}'`).join(', ');
  if (ALL_BACKENDS.includes(choice as string)) {
    throw new PsiError('BACKEND_UNAVAILABLE', `backend ${JSON.stringify(choice)} does not exist for group ${suite.name}: use ${choices}`);
  }
  throw new PsiError('BACKEND_UNKNOWN', `backend must be ${choices} for group ${suite.name}; got ${JSON.stringify(choice)}`);
}
