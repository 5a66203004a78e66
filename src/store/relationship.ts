import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import type { StoredSet } from '../protocol/stored-set.js';
import { writeFileAtomic } from '../atomic-file.js';
import { runOf, type OpenedStore } from './reader.js';
import type { StoredRow } from './row-map.js';
import { readVerified } from './verify.js';

/**
 * What a client names to reuse a relationship: its id (chosen by the client) and
 * a fingerprint of its relationship key (never the key), so that a client that
 * lost its key starts afresh instead of matching nothing.
 *
 * @example
 * ```ts
 * const ref: RelationshipRef = { id: 'acme-crm', fingerprint: 'ab12…' };
 * ```
 */
export interface RelationshipRef {
  id: string;
  /** 64 hex digits. */
  fingerprint: string;
}

/**
 * One session's view of the store under a relationship: it sends only the
 * segments the relationship has not kept re-blinded (new or changed since),
 * joins the kept ones from disk, and keeps what this session gets back.
 *
 * @example
 * ```ts
 * const rel = await openRelationship(store, 'acme', { id: 'crm', fingerprint });
 * createParty({ role: 'responder', storedSet: rel.set, learn: 'intersection', peerLearns: 'released' });
 * // once the session completed:
 * await rel.commit();
 * ```
 */
export interface Relationship {
  readonly set: StoredSet;
  /** Elements sent this session (segments not kept, or kept under another key). */
  readonly sent: number;
  /** Elements joined from what an earlier session returned. */
  readonly kept: number;
  /**
   * SHA-256 of what this session's join reads besides the client's bytes: the
   * key fingerprint, which segments are kept and the checksum of each kept file.
   * A released figure's noise is keyed on it, so kept data that differs gives fresh noise.
   */
  readonly digest: Uint8Array;
  /** The input rows behind matched indices of {@link set}, in input order. */
  rowsOf(indices: readonly number[]): Promise<StoredRow[]>;
  /** After a completed session: keeps the segments returned in full, for the next session. */
  commit(): Promise<void>;
  /** Drops what this session wrote (a session that did not complete). */
  discard(): Promise<void>;
}

/** What a relationship keeps: per segment, the element file it was returned for and the kept file's SHA-256. */
interface State {
  fingerprint: string;
  segments: Record<string, { source: string; sha256: string }>;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * Checks a client's relationship reference (`PAYLOAD_INVALID` otherwise, as any malformed client input).
 *
 * @example
 * ```ts
 * checkRelationshipRef({ id: 'crm', fingerprint: '00'.repeat(32) });
 * ```
 */
export function checkRelationshipRef(ref: RelationshipRef): RelationshipRef {
  if (!ID.test(ref.id) || !FINGERPRINT.test(ref.fingerprint)) {
    throw new PsiError('PAYLOAD_INVALID', 'a relationship is an id of 1-64 letters, digits, . _ - and a 64-hex key fingerprint');
  }
  return ref;
}

/**
 * Where relationships' states are kept (what each kept per segment, as JSON text) when not in
 * `state.json` beside their kept files: e.g. PostgreSQL, shared by replicas. Keyed by token id,
 * relationship id and epoch label.
 *
 * @example
 * ```ts
 * const states: RelationshipStates = { read: async () => undefined, write: async () => undefined };
 * await openRelationship(store, token.id, ref, states);
 * ```
 */
export interface RelationshipStates {
  read(owner: string, id: string, epoch: string): Promise<string | undefined>;
  write(owner: string, id: string, epoch: string, state: string): Promise<void>;
}

function readState(text: string | undefined, fingerprint: string): State {
  const empty: State = { fingerprint, segments: {} };
  if (text === undefined) return empty;
  let state: State;
  try {
    state = JSON.parse(text) as State;
    if (typeof state.fingerprint !== 'string' || typeof state.segments !== 'object' || state.segments === null)
      throw new Error('not a state');
  } catch (e) {
    throw new PsiError('STORE_CORRUPT', 'a relationship state is malformed', { cause: e });
  }
  // Another key: nothing kept is valid for this client's elements.
  return state.fingerprint === fingerprint ? state : empty;
}

/** Runs of consecutive segments, as [segment, start in the view] for the ones `pick` selects. */
function layout(counts: readonly number[], pick: (s: number) => boolean): { segments: number[]; starts: number[] } {
  const segments: number[] = [];
  const starts = [0];
  counts.forEach((count, s) => {
    if (!pick(s)) return;
    segments.push(s);
    starts.push(starts.at(-1)! + count);
  });
  return { segments, starts };
}

/**
 * Opens the relationship `ref` of token `owner` on an opened store epoch (see
 * {@link Relationship}). What is kept lives under
 * `<store>/relationships/epoch-<label>/<sha256(owner, id)>/`, per epoch: a new
 * epoch (a new platform key) starts every relationship afresh. Its state (what was kept per
 * segment) is `state.json` there, or in `states` when given.
 *
 * @example
 * ```ts
 * const rel = await openRelationship(store, token.id, { id: 'crm', fingerprint });
 * ```
 */
export async function openRelationship(
  store: OpenedStore,
  owner: string,
  ref: RelationshipRef,
  states?: RelationshipStates,
): Promise<Relationship> {
  checkRelationshipRef(ref);
  const name = createHash('sha256').update(owner).update('\0').update(ref.id).digest('hex');
  const dir = join(store.dir, 'relationships', `epoch-${store.epoch}`, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const statePath = join(dir, 'state.json');
  const state = readState(
    states === undefined ? await readFile(statePath, 'utf8').catch(() => undefined) : await states.read(owner, ref.id, store.epoch),
    ref.fingerprint,
  );
  const { segments: manifestSegments } = store.manifest;
  const positions = [0];
  for (const s of manifestSegments) positions.push(positions.at(-1)! + s.count);
  const counts = manifestSegments.map((s) => s.count);
  const isKept = (s: number) => state.segments[s]?.source === manifestSegments[s]!.elements;
  const sent = layout(counts, (s) => !isKept(s));
  const kept = layout(counts, isKept);
  const size = sent.starts.at(-1)!;
  const keptFileOf = (s: number, source: string) => join(dir, `seg-${s}-${source.slice(0, 16)}.ab`);
  const keptFile = (s: number) => keptFileOf(s, manifestSegments[s]!.elements);
  const writing = new Map<number, { file: FileHandle; temp: string; hash: ReturnType<typeof createHash>; written: number }>();

  const toPosition = (i: number): number => {
    const inSent = i < size;
    const view = inSent ? sent : kept;
    const local = inSent ? i : i - size;
    const r = runOf(view.starts, local);
    return positions[view.segments[r]!]! + local - view.starts[r]!;
  };
  /** Calls `fn` for each piece of view range [from, to) of the sent segments, with its segment and local offset. */
  const pieces = async (from: number, to: number, fn: (s: number, local: number, at: number, n: number) => Promise<void>) => {
    for (let at = from; at < to;) {
      const r = runOf(sent.starts, at);
      const end = Math.min(to, sent.starts[r + 1]!);
      await fn(sent.segments[r]!, at - sent.starts[r]!, at, end - at);
      at = end;
    }
  };
  const closeAll = async () => {
    for (const w of writing.values()) await w.file.close().catch(() => undefined);
  };

  const keptState = kept.segments.map((s) => [s, manifestSegments[s]!.elements, state.segments[s]!.sha256]);
  return {
    sent: size,
    kept: kept.starts.at(-1)!,
    digest: new Uint8Array(
      createHash('sha256')
        .update(JSON.stringify({ relationship: ref.id, fingerprint: ref.fingerprint, kept: keptState }))
        .digest(),
    ),
    set: {
      group: store.set.group,
      size,
      copyKey: () => store.set.copyKey(),
      async read(from, to) {
        const out = new Uint8Array((to - from) * ELEMENT_BYTES);
        await pieces(from, to, async (s, local, at, n) => {
          const p = positions[s]! + local;
          out.set(await store.set.read(p, p + n), (at - from) * ELEMENT_BYTES);
        });
        return out;
      },
      async keep(offset, elements) {
        await pieces(offset, offset + elements.length / ELEMENT_BYTES, async (s, _local, at, n) => {
          let w = writing.get(s);
          if (w === undefined) {
            const temp = join(dir, `.seg-${s}.${Buffer.from(randomBytes(6)).toString('hex')}.partial`);
            w = { file: await open(temp, 'wx', 0o600), temp, hash: createHash('sha256'), written: 0 };
            writing.set(s, w);
          }
          const part = elements.subarray((at - offset) * ELEMENT_BYTES, (at - offset + n) * ELEMENT_BYTES);
          await w.file.write(part);
          w.hash.update(part);
          w.written += n;
        });
      },
      async readKept(each) {
        for (const s of kept.segments) each(await readVerified(keptFile(s), state.segments[s]!.sha256));
      },
    },
    rowsOf: (indices) => store.rowsOf(indices.map(toPosition)),
    async commit() {
      await closeAll();
      const next: State = { fingerprint: ref.fingerprint, segments: { ...state.segments } };
      for (const [s, w] of writing) {
        if (w.written !== counts[s]) {
          await unlink(w.temp).catch(() => undefined);
          continue;
        }
        await rename(w.temp, keptFile(s));
        next.segments[s] = { source: manifestSegments[s]!.elements, sha256: w.hash.digest('hex') };
        // What was kept for an older version of the segment is of no further use.
        const old = state.segments[s]?.source;
        if (old !== undefined && old !== manifestSegments[s]!.elements) await unlink(keptFileOf(s, old)).catch(() => undefined);
      }
      writing.clear();
      try {
        if (states === undefined) await writeFileAtomic(statePath, JSON.stringify(next));
        else await states.write(owner, ref.id, store.epoch, JSON.stringify(next));
      } catch (e) {
        throw new PsiError('STORE_WRITE_FAILED', `cannot write ${statePath}: ${(e as Error).message}`, { cause: e });
      }
    },
    async discard() {
      await closeAll();
      for (const w of writing.values()) await unlink(w.temp).catch(() => undefined);
      writing.clear();
    },
  };
}
