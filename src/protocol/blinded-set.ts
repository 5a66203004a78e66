import { PsiError } from '../errors.js';
import { createBlinder } from '../group/create-blinder.js';
import type { BackendChoice } from '../group/load.js';
import { zeroize } from '../group/scalar.js';
import { checkBackendChoice, type GroupName } from '../group/suite.js';
import { checkItems, prepareItems } from './items.js';
import { protocolSuite } from './suite.js';

/**
 * A party's distinct items, hashed to the group and blinded under one key, ready
 * to serve many sessions (a platform answering many advertisers). Reusing it
 * trades freshness for cost: every session under the same key sees the same
 * blinded values, so peers of different sessions could link them. Rotate it.
 *
 * @example
 * ```ts
 * const set = await blindSet(platformEmails, { group: 'x25519' });
 * const responder = createParty({ role: 'responder', blindedSet: set, learn: 'intersection', peerLearns: 'size' }); // runs x25519
 * set.destroy(); // on rotation: zeroises the key
 * ```
 */
export interface BlindedSet {
  /** The group suite the set was hashed and blinded in; parties made from it run this suite. */
  readonly group: GroupName;
  /** Number of distinct items. */
  readonly size: number;
  /** Number of items given, duplicates included. */
  readonly total: number;
  /** Zeroises the key; parties can no longer be created from this set. */
  destroy(): void;
}

/** The internals parties read; not exported from the package. */
export interface BlindedSetData extends BlindedSet {
  /** Blinded distinct items, 32 bytes each, in distinct-item order. */
  readonly elements: Uint8Array;
  /** groupOf[i] = the distinct item that given item i is. */
  readonly groupOf: Uint32Array;
  /** A fresh copy of the key, owned by the caller; throws once destroyed. */
  copyKey(): Uint8Array;
}

/**
 * Options of {@link blindSet}.
 *
 * @example
 * ```ts
 * const opts: BlindSetOptions = { group: 'x25519', backend: 'auto', workers: 2 };
 * ```
 */
export interface BlindSetOptions {
  /** Group suite to hash and blind in; default `'x25519'`, as for parties. A set is valid only in its suite. */
  group?: GroupName | undefined;
  /**
   * Secret key to blind under, in the suite's format (ristretto255: a scalar in
   * [1, ℓ), 32 bytes LE; x25519: 32 bytes, not all zero, clamped at use); default a
   * fresh random one. Copied.
   */
  key?: Uint8Array;
  backend?: BackendChoice | undefined;
  workers?: number | undefined;
}

/**
 * Hashes, deduplicates and blinds `items` once, for reuse across sessions.
 *
 * @example
 * ```ts
 * const set = await blindSet(['a@example.com', 'b@example.com']);
 * set.size; // 2
 * ```
 */
export async function blindSet(items: readonly (string | Uint8Array)[], opts: BlindSetOptions = {}): Promise<BlindedSet> {
  checkItems(items);
  const suite = protocolSuite(opts.group);
  const backend = checkBackendChoice(opts.backend, suite);
  let key: Uint8Array;
  if (opts.key === undefined) {
    key = suite.randomKey();
  } else {
    suite.checkKey(opts.key);
    key = opts.key.slice();
  }
  const prepared = prepareItems(items, suite.dst);
  const blinder = await createBlinder({ group: suite.name, key: key.slice(), backend, workers: opts.workers });
  let elements: Uint8Array;
  try {
    elements = await blinder.blind(prepared.packed);
  } finally {
    await blinder.close();
  }
  let destroyed = false;
  const set: BlindedSetData = {
    group: suite.name,
    size: prepared.count,
    total: prepared.total,
    elements,
    groupOf: prepared.groupOf,
    copyKey() {
      if (destroyed) throw new PsiError('SET_DESTROYED', 'this blinded set was destroyed (its key rotated out)');
      return key.slice();
    },
    destroy() {
      destroyed = true;
      zeroize(key);
    },
  };
  return set;
}

/** Narrows a caller's {@link BlindedSet} to one made by {@link blindSet}. */
export function asBlindedSetData(set: unknown): BlindedSetData {
  const data = set as Partial<BlindedSetData> | null;
  if (
    typeof data !== 'object' ||
    data === null ||
    !(data.elements instanceof Uint8Array) ||
    typeof data.copyKey !== 'function' ||
    typeof data.group !== 'string'
  ) {
    throw new PsiError('OPTIONS_INVALID', 'blindedSet must come from blindSet()');
  }
  return data as BlindedSetData;
}
