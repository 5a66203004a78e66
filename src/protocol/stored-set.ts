import type { GroupName } from '../group/suite.js';

/**
 * A party's own set blinded once, ahead of any session, and kept outside the
 * session (on disk: see `openStore`): the party reads its elements chunk by
 * chunk as it sends them, so a session holds a few chunks of it, never the
 * whole. The elements come in an order fixed when the set was made (drawn at
 * random then); every session sends them in that order, which tells a peer
 * nothing the elements themselves, identical under one key, do not.
 *
 * @example
 * ```ts
 * const store = await openStore('/var/lib/blindjoin/store');
 * const platform = createParty({ role: 'responder', storedSet: store.set, learn: 'intersection', peerLearns: 'released' });
 * ```
 */
export interface StoredSet {
  /** The group suite the set was blinded in; parties made from it run this suite. */
  readonly group: GroupName;
  /** Number of stored elements (distinct items, and placeholders of removed ones). */
  readonly size: number;
  /** A fresh copy of the key the elements were blinded under, owned by the caller. */
  copyKey(): Uint8Array;
  /** Blinded elements of stored positions [from, to), 32 bytes each. */
  read(from: number, to: number): Promise<Uint8Array>;
  /**
   * Receives each chunk of this set as the peer returned it re-blinded, once it
   * was accepted: a relationship keeps them for later sessions under the same keys.
   */
  keep?(offset: number, elements: Uint8Array): void | Promise<void>;
  /**
   * With a relationship: joins `peer` (the peer's distinct elements as this party
   * re-blinded them, packed, strictly ascending) against the elements not sent
   * this session, kept re-blinded from an earlier session and verified against
   * their checksums. For each peer element equal to one of them: its number in
   * `peer` and the index (from `size` on) of the first equal kept element.
   */
  joinKept?(peer: Uint8Array): Promise<{ peer: number; index: number }[]>;
  /**
   * With a relationship: re-blinds a chunk of the peer's elements (packed), taking
   * the ones an earlier session re-blinded under this set's key from what was kept
   * and calling `compute` (the party's own re-blinding, with its checks) on the
   * rest, packed in order.
   */
  reblind?(elements: Uint8Array, compute: (missing: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array>;
}
