import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import type { BlindedCache } from './blinded-cache.js';
import type { BlindedSet } from './blinded-set.js';
import type { StoredSet } from './stored-set.js';
import type { DisclosurePolicy } from '../disclosure/policy.js';
import type { ReleasedFigure } from '../wire/release.js';
import type { Reveal } from '../wire/reveal.js';
import type { Role } from './reveal.js';

/**
 * Options of {@link createParty}.
 *
 * @example
 * ```ts
 * const opts: PartyOptions = { role: 'initiator', items: ['a@b.com'], learn: 'size', peerLearns: 'intersection' };
 * ```
 */
export type PartyOptions = SessionOptions &
  (
    | {
        /** Own items; strings are UTF-8 encoded. Duplicates are fine: the peer never sees them. */
        items: readonly (string | Uint8Array)[];
        rows?: undefined;
        blindedSet?: undefined;
        storedSet?: undefined;
      }
    | {
        /**
         * Own rows, each the keys of one record (e.g. `psiItem('email', ..)` and
         * `psiItem('phone', ..)` of one customer): a row matches when any of its
         * keys is in the peer's set, and counts and `matches` are of rows. Each
         * row is sent as as many elements as the widest row has keys, padded with
         * dummies (docs/protocol.md, "Rows").
         */
        rows: readonly (readonly (string | Uint8Array)[])[];
        items?: undefined;
        blindedSet?: undefined;
        storedSet?: undefined;
      }
    | {
        /** Own items blinded ahead of time by {@link blindSet}, shared across sessions. */
        blindedSet: BlindedSet;
        items?: undefined;
        rows?: undefined;
        storedSet?: undefined;
      }
    | {
        /**
         * Own items blinded ahead of time and read as they are sent (a platform's
         * store); `matches` are then its stored positions, and the returned set is
         * joined chunk by chunk instead of kept.
         */
        storedSet: StoredSet;
        items?: undefined;
        blindedSet?: undefined;
        rows?: undefined;
      }
  );

/**
 * The options of {@link PartyOptions} that do not name the items.
 *
 * @example
 * ```ts
 * const session: SessionOptions = { role: 'responder', learn: 'intersection', peerLearns: 'size' };
 * ```
 */
export interface SessionOptions {
  role: Role;
  /** What this party learns. */
  learn: Reveal;
  /** What this party agrees the peer learns; the handshake refuses a disagreement. */
  peerLearns: Reveal;
  /** Refuse a peer that declares more distinct items than this. */
  maxPeerItems?: number | undefined;
  /** Elements per chunk message; default fills a 1 MiB frame. */
  chunkItems?: number | undefined;
  /**
   * Group suite; both parties must use the same one (the handshake refuses a
   * mismatch with `GROUP_MISMATCH`). Default: the `blindedSet`'s suite when one is
   * given, else `'x25519'` (docs/protocol.md, "Group suites").
   */
  group?: GroupName | undefined;
  /**
   * Arithmetic backend of the suite; default `'auto'`, the fastest present
   * (x25519: sodium-native, then libsodium WASM; ristretto255: WASM, then noble).
   * `'sodium-native'` and `'webcrypto'` exist for x25519 only.
   */
  backend?: BackendChoice | undefined;
  /**
   * Worker threads for blinding; default all cores where Node's worker threads are
   * installed (`blindjoin` imported in Node, the service and the CLI install them),
   * one per core up to 4 in the advertiser's page (its Web Workers), else inline:
   * through `src/core.ts` alone.
   */
  workers?: number | undefined;
  /**
   * A secret of this party's (at least 16 random bytes, kept between sessions
   * and never sent) from which the key, the row dummies and the sending order
   * are derived instead of drawn from the CSPRNG. Alone it is a relationship
   * key: every session with it uses the same key, and the peer can link them.
   */
  keySeed?: Uint8Array | undefined;
  /**
   * With `keySeed`: derive the key from the secret and the set of own distinct
   * items, so that a repeated list is sent as the same bytes and a peer that
   * releases figures under a disclosure policy answers it with the same figure
   * (docs/privacy.md). The peer can tell a repeated list, and nothing else:
   * without the secret it cannot recompute the key for a guessed list. Refused
   * (`OPTIONS_INVALID`) without a `keySeed`.
   */
  keyFromItems?: boolean | undefined;
  /**
   * With a `keySeed` (and no `keyFromItems`: one key for every list): own
   * blinded elements kept from earlier sessions of that key, so that only items
   * not blinded before are blinded; the session records the ones it blinds.
   * The peer receives exactly the bytes it would without it. A cache made under
   * another key or suite is emptied, never used. Refused (`OPTIONS_INVALID`)
   * without a `keySeed`.
   */
  blindedCache?: BlindedCache | undefined;
  /** How this party releases a figure to a peer that learns `'released'`; see {@link ReleaseOptions}. */
  disclosure?: ReleaseOptions | undefined;
}

/**
 * The disclosure policy of a party whose peer learns `'released'`: after the
 * session it sends the peer the number of matched items noised and rounded
 * under `policy`, never the exact count.
 *
 * @example
 * ```ts
 * const disclosure: ReleaseOptions = { policy: { epsilon: 0.25, threshold: 100 }, noiseKey, context: [tokenId] };
 * ```
 */
export interface ReleaseOptions {
  /** Epsilon, threshold, rounding; defaults in docs/privacy.md. */
  policy?: DisclosurePolicy | undefined;
  /**
   * 32-byte key of the PRF that draws the noise from what the peer sent, so that a
   * peer repeating the same bytes gets the same figure instead of fresh noise to
   * average; default fresh noise from the CSPRNG every session.
   */
  noiseKey?: Uint8Array | undefined;
  /** Bound into the noise with the transcript, e.g. the peer's identity and the version of the own set. */
  context?: readonly Uint8Array[] | undefined;
  /**
   * What the figure counts, from the indices of own matched items (with `learn:
   * 'intersection'`): e.g. distinct users when a user has several identifiers.
   * Must change by at most one when one person is removed. Default: matched items.
   */
  countMatches?: ((matches: readonly number[]) => number | Promise<number>) | undefined;
}

/**
 * What a finished session taught this party.
 *
 * @example
 * ```ts
 * const { ownSize, peerSize, size, matches } = party.result();
 * ```
 */
export interface PartyResult {
  /** This party's own number of distinct items, or of distinct rows with a key (what the peer learnt as its `peerSize`). */
  ownSize: number;
  /** The peer's number of distinct items or rows. */
  peerSize: number;
  /**
   * Number of own distinct items (or distinct rows with any key) in the
   * intersection; present iff `learn` is `'size'` or `'intersection'`.
   */
  size?: number;
  /**
   * Ascending indices into own `items` (or `rows`) that matched, every
   * duplicate index included; present iff `learn === 'intersection'`.
   */
  matches?: number[];
  /** The figure released under the disclosure policy: received when `learn` is `'released'`, sent when `peerLearns` is. */
  released?: ReleasedFigure;
}

/**
 * One side of a PSI session: a state machine fed with the peer's messages.
 *
 * @example
 * ```ts
 * let out = await initiator.step();            // first message, no input
 * out = await responder.step(out[0]);          // replies
 * ```
 */
export interface Party {
  /** Feeds one peer message (none for the initiator's first call); returns the messages to send, in order. */
  step(incoming?: Uint8Array): Promise<Uint8Array[]>;
  /** True once the session completed and `result()` is available. */
  readonly done: boolean;
  /** Session id (16 bytes) once known: chosen by the initiator, learnt by the responder from the first message. */
  readonly sessionId: Uint8Array | undefined;
  /** The outcome; throws `PsiError('NOT_DONE')` before the session completed. */
  result(): PartyResult;
  /** Aborts the session and zeroises the key; idempotent. */
  close(): Promise<void>;
}
