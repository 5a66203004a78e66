import { PlatformParty } from '../measurement/platform-party.js';
import { learnsCount, withParsedReveal } from '../protocol/options.js';
import { openRelationship, type RelationshipRef } from '../store/relationship.js';
import type { Admission } from './admission.js';
import type { ServiceConfig } from './config.js';
import type { Session } from './session-store.js';
import type { UserRow, UserRows } from './user-rows.js';

/**
 * What every session's party is built from: the service's settled options, the
 * key of its consistent noise, its rows and its charges.
 *
 * @example
 * ```ts
 * const parts: SessionPartyParts = { config, noiseKey, rows: new UserRows(config.options), admission };
 * ```
 */
export interface SessionPartyParts {
  readonly config: ServiceConfig;
  readonly noiseKey: Uint8Array;
  readonly rows: UserRows;
  readonly admission: Admission;
}

/**
 * What one session asks of its party, from its HELLO.
 *
 * @example
 * ```ts
 * const request: SessionPartyRequest = { remove: false, elements: 1000, counted: (rows) => counted.set(session, rows) };
 * ```
 */
export interface SessionPartyRequest {
  /** The client's relationship on the store, when it named one. */
  relationship?: RelationshipRef | undefined;
  /** A remove session of an audience: it releases nothing, the client learns `'none'`. */
  remove: boolean;
  /** The elements the client's HELLO declared (every slot of every item): what a released figure's count may read. */
  elements: number;
  /** Hears the rows a released figure counted, so that the result names the same matches without reading them again. */
  counted: (rows: UserRow[]) => void;
}

/**
 * Builds the platform's party of one session on the set its lease lends
 * (`session.lease`, acquired before). When the client named a relationship and
 * the session can keep one (a store, the service learns who matched, the
 * client no count), it is opened on `session.relationship` first and the party
 * runs on its view. Under a policy the party releases a figure noised from the
 * session's release seed; each measured figure is charged before it is computed.
 *
 * @example
 * ```ts
 * session.lease = await sets.acquire();
 * session.party = await openSessionParty(parts, session, { remove: false, elements: 1000, counted: () => undefined });
 * ```
 */
export async function openSessionParty(parts: SessionPartyParts, session: Session, request: SessionPartyRequest): Promise<PlatformParty> {
  const { config, noiseKey, rows, admission } = parts;
  const { learn, options } = config;
  const { remove } = request;
  const lease = session.lease!;
  // A relationship needs a store to keep the set in, and a client that does not join itself (it keeps nothing):
  // otherwise the session runs in full.
  // It also needs the set returned in order (the service learns 'intersection'), to keep each segment's part.
  // A remove session releases nothing: the client learns 'none', with no figure and no value column.
  const peerLearns = remove ? 'none' : config.peerLearns;
  const policy = remove ? undefined : config.policy;
  if (request.relationship !== undefined && lease.store !== undefined && learn === 'intersection' && !learnsCount(peerLearns)) {
    session.relationship = await openRelationship(lease.store, session.tokenId, request.relationship, options.relationshipStates);
  }
  const { group, backend, workers, chunkItems } = options;
  const relationship = session.relationship;
  const rowSource = relationship ?? lease.store;
  // What the party's matches index: the view's positions (sent, then kept), the store's, or the items.
  const positions =
    relationship !== undefined ? relationship.sent + relationship.kept : (lease.store?.manifest.elements ?? options.items!.length);
  const utf8 = new TextEncoder();
  // The modes were parsed once, where the service's config was resolved.
  const party = new PlatformParty(
    withParsedReveal({
      role: 'responder',
      ...(relationship === undefined ? lease.source : { storedSet: relationship.set }),
      learn,
      peerLearns,
      maxPeerItems: config.maxItems,
      group,
      backend,
      workers,
      chunkItems,
      ...(policy === undefined
        ? {}
        : {
            disclosure: {
              policy,
              /**
               * One user counts once however many of its identifiers matched: the sensitivity stays 1.
               * The count runs before the RELEASE frame leaves, so its work must depend only on what the
               * client sent: it reads the rows of min(the client's elements, the set's positions) positions,
               * the matches among them, whoever matched (UserRows.count). Counting without rows would
               * need the users of every position at hand (a store keeps them only in its row map);
               * reading just the matches made the RELEASE's delay grow with them.
               */
              countMatches: async (matches: readonly number[]) => {
                const counted = await rows.count(rowSource, matches, Math.min(request.elements, positions), positions);
                // The result names the same matches: read from a store's row map once, not again after the release.
                request.counted(counted.rows);
                return counted.users;
              },
              noiseKey,
              // The same client bytes against the same key and set give the same figure; anything else, fresh noise.
              // A relationship's kept data joins too: its digest (id, key fingerprint, kept checksums) is bound in.
              context: [
                utf8.encode(session.tokenId),
                utf8.encode(lease.version),
                utf8.encode(JSON.stringify(config.terms.policy)),
                ...(relationship === undefined ? [] : [relationship.digest]),
              ],
            },
          }),
    }),
    remove
      ? {}
      : {
          // Value columns come with the items path only (serve --values reads them from the input file).
          ...(options.values === undefined ? {} : { columns: options.values, personOf: (i: number) => rows.rowOf(i).line }),
          encryptedColumns: config.terms.advertiserValues,
          ...(config.policy === undefined
            ? {}
            : {
                policy: config.policy,
                // One debit per figure, before any is computed; settled with the count's (free repeats).
                charge: async (figures) => {
                  for (let k = 0; k < figures; k++) await admission.chargeRelease(session);
                },
              }),
        },
  );
  if (lease.store !== undefined) party.deferOwnFrames();
  return party;
}
