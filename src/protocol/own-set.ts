import { PsiError } from '../errors.js';
import { ELEMENT_BYTES, UNIFORM_BYTES } from '../group/constants.js';
import { prepareItemsInSlices } from './items.js';
import { setDigest, type KeyDerivation } from './key-derivation.js';
import type { CheckedOptions } from './options.js';
import { prepareRows, rowsDigest, type PreparedRows } from './rows.js';
import { permutePacked, randomPermutation } from '../random/shuffle.js';

/**
 * A party's own items or rows in the shape a session needs, however they were
 * given (items, rows, a blinded or a stored set), in their sending order.
 *
 * @example
 * ```ts
 * const own = await prepareOwnSet(opts, derive, (inputs) => blinder.blind(inputs));
 * const first = await own.blindRange(0, 1024);
 * ```
 */
export interface OwnSet {
  /** Distinct items, or distinct rows, announced in the handshake. */
  count: number;
  /** 0 for items; elements per row for rows. */
  slots: number;
  /** Elements sent: `count` times the row width. */
  elements: number;
  /** groupOf[i] = the distinct item or row that given index i is; -1 never matches. */
  groupOf: Uint32Array | Int32Array;
  /** Sending order: item or row position u carries distinct item or row order[u]. */
  order: Uint32Array;
  /** Rows only: the key id each sent element carries, -1 for a dummy. */
  keyAt: Int32Array | undefined;
  /** Produces own blinded elements of positions [from, to). */
  blindRange(from: number, to: number): Promise<Uint8Array>;
  /** Order-free digest of the own set, from which `keyFromItems` derives the key. */
  digest(): Uint8Array;
}

/**
 * The own set of `opts` in a sending order drawn from `derive`: items and rows
 * are hashed now (items in slices that leave the event loop free) and blinded by
 * `blind` chunk by chunk as they are sent; a
 * blinded set is sent as it is, a stored set in its stored order.
 *
 * @example
 * ```ts
 * const own = await prepareOwnSet(checkOptions({ role: 'initiator', items, learn: 'size', peerLearns: 'none' }), derive, blind);
 * ```
 */
export async function prepareOwnSet(
  opts: CheckedOptions,
  derive: KeyDerivation,
  blind: (inputs: Uint8Array) => Promise<Uint8Array>,
): Promise<OwnSet> {
  const { rows, blindedSet: set, suite, storedSet: stored } = opts;
  if (rows !== undefined) return ownRows(prepareRows(rows, suite.dst), derive, blind);
  if (stored !== undefined) {
    // Sent in its stored order, read as sent; positions are the caller's indices, nothing is held here.
    const none = new Uint32Array(0);
    return {
      count: stored.size,
      slots: 0,
      elements: stored.size,
      groupOf: none,
      order: none,
      keyAt: undefined,
      digest: () => {
        throw new PsiError('OPTIONS_INVALID', 'a stored set brings its own key');
      },
      blindRange: (from, to) => stored.read(from, to),
    };
  }
  const { count, groupOf, packed } =
    set === undefined
      ? await prepareItemsInSlices(opts.items!, suite.dst)
      : { count: set.size, groupOf: set.groupOf, packed: set.elements };
  const width = set === undefined ? UNIFORM_BYTES : ELEMENT_BYTES;
  const digest = once(() => setDigest(packed, width));
  const order = randomPermutation(count, derive.order(digest));
  const shuffled = permutePacked(packed, order, width);
  const slice = (from: number, to: number) => shuffled.subarray(from * width, to * width);
  return {
    count,
    slots: 0,
    elements: count,
    groupOf,
    order,
    keyAt: undefined,
    digest,
    blindRange: set === undefined ? (from, to) => blind(slice(from, to)) : async (from, to) => slice(from, to),
  };
}

/**
 * Own rows in a fresh row order, each row's keys then dummies. Dummies are
 * drawn like the key (from `keySeed` and the rows when those derive it), so
 * a repeated list sends the same set and gets the same released figure.
 */
function ownRows(rows: PreparedRows, derive: KeyDerivation, blind: (inputs: Uint8Array) => Promise<Uint8Array>): OwnSet {
  const { count, slots, unitKeys, keys, groupOf } = rows;
  const digest = once(() => rowsDigest(rows));
  const order = randomPermutation(count, derive.order(digest));
  const elements = count * slots;
  const keyAt = new Int32Array(elements);
  for (let u = 0; u < count; u++) keyAt.set(unitKeys.subarray(order[u]! * slots, (order[u]! + 1) * slots), u * slots);
  const dummies = keyAt.reduce((n, id) => n + (id < 0 ? 1 : 0), 0);
  const dummyInputs = derive.dummies(digest)(dummies * UNIFORM_BYTES);
  const inputs = new Uint8Array(elements * UNIFORM_BYTES);
  for (let p = 0, d = 0; p < elements; p++) {
    const id = keyAt[p]!;
    const from =
      id < 0
        ? dummyInputs.subarray(d * UNIFORM_BYTES, ++d * UNIFORM_BYTES)
        : keys.packed.subarray(id * UNIFORM_BYTES, (id + 1) * UNIFORM_BYTES);
    inputs.set(from, p * UNIFORM_BYTES);
  }
  return {
    count,
    slots,
    elements,
    groupOf,
    order,
    keyAt,
    digest,
    blindRange: (from, to) => blind(inputs.subarray(from * UNIFORM_BYTES, to * UNIFORM_BYTES)),
  };
}

/** A thunk computed at most once. */
function once<T>(compute: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: compute() }).v;
}
