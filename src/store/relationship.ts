import { createHash } from 'node:crypto';
import { access, mkdir, open, readFile, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from '@noble/hashes/utils.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import type { StoredSet } from '../protocol/stored-set.js';
import { writeFileAtomic } from '../atomic-file.js';
import { joinSortedKept } from './kept-join.js';
import { ReblindMemo } from './reblind-memo.js';
import { runOf, type OpenedStore } from './reader.js';
import type { StoredRow } from './row-map.js';
import { sortedRun, writeSortedKept, type SortedKept, type SortedKeptFiles } from './sorted-kept.js';

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
  /** The client's elements this session took re-blinded from the memo of the last one, not multiplied again. */
  readonly reblindHits: number;
  /**
   * SHA-256 of what this session's join reads besides the client's bytes: the
   * key fingerprint, which segments are kept, the checksum of the kept set's
   * index (which holds the checksum of each of its blocks) and that of the
   * memo of the client's re-blinded elements.
   * A released figure's noise is keyed on it, so kept data that differs gives fresh noise.
   */
  readonly digest: Uint8Array;
  /** The input rows behind matched indices of {@link set}, in input order. */
  rowsOf(indices: readonly number[]): Promise<StoredRow[]>;
  /** The input rows behind each index of {@link set}, in the order of `indices`. */
  entriesOf(indices: readonly number[]): Promise<StoredRow[][]>;
  /** After a completed session: keeps the segments returned in full and the client's elements re-blinded, for the next session. */
  commit(): Promise<void>;
  /** Drops what this session wrote (a session that did not complete). */
  discard(): Promise<void>;
}

/** The format of relationship states this code writes; a state without it is of the format before (unsorted kept files). */
const STATE_FORMAT = 2;

/**
 * What a relationship keeps: per segment, the element file it was returned for;
 * all kept segments' elements in one sorted kept set, named by `tag`.
 */
interface State {
  format: typeof STATE_FORMAT;
  fingerprint: string;
  segments: Record<string, { source: string }>;
  sorted?: SortedKept & { tag: string };
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

const HEX = /^[0-9a-f]+$/;

function checkState(value: unknown): State {
  const state = value as Partial<State> | null;
  if (typeof state !== 'object' || state === null || typeof state.fingerprint !== 'string') throw new Error('not a state');
  if (typeof state.segments !== 'object' || state.segments === null) throw new Error('no segments');
  const sorted = state.sorted;
  if (sorted !== undefined) {
    if (
      !Number.isSafeInteger(sorted.records) ||
      sorted.records < 0 ||
      !FINGERPRINT.test(String(sorted.index)) ||
      !HEX.test(String(sorted.tag))
    )
      throw new Error('bad sorted kept set');
  } else if (Object.keys(state.segments).length > 0) throw new Error('segments kept without a kept set');
  return state as State;
}

/**
 * The state of a relationship for this key (empty for another key, or one of the
 * format before), and the files of what was stored before that a commit replaces.
 */
function readState(text: string | undefined, fingerprint: string): { state: State; stored: string[] } {
  const empty: State = { format: STATE_FORMAT, fingerprint, segments: {} };
  if (text === undefined) return { state: empty, stored: [] };
  let parsed: { format?: unknown; segments?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not a state');
    // The format before kept one unsorted file per segment: its client sends afresh, and a commit removes them.
    if (parsed.format === undefined && typeof parsed.segments === 'object' && parsed.segments !== null) {
      const files = Object.entries(parsed.segments as Record<string, { source?: unknown } | null>)
        .filter(([s, kept]) => /^\d+$/.test(s) && FINGERPRINT.test(String(kept?.source)))
        .map(([s, kept]) => `seg-${s}-${String(kept!.source).slice(0, 16)}.ab`);
      return { state: empty, stored: files };
    }
    if (parsed.format !== STATE_FORMAT) throw new Error(`unknown format ${String(parsed.format)}`);
    const state = checkState(parsed);
    const stored: string[] = [];
    if (state.sorted !== undefined) {
      const names = keptFileNames(state.sorted.tag);
      stored.push(names.data, names.index);
    }
    // Another key: nothing kept is valid for this client's elements.
    return { state: state.fingerprint === fingerprint ? state : empty, stored };
  } catch (e) {
    throw new PsiError('STORE_CORRUPT', 'a relationship state is malformed', { cause: e });
  }
}

/** The names of a sorted kept set's two files. */
function keptFileNames(tag: string): SortedKeptFiles {
  return { data: `kept-${tag}.sorted`, index: `kept-${tag}.index` };
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
  const memoPath = join(dir, 'memo.reblinded');
  const memo = await ReblindMemo.open(memoPath);
  const { state, stored } = readState(
    states === undefined ? await readFile(statePath, 'utf8').catch(() => undefined) : await states.read(owner, ref.id, store.epoch),
    ref.fingerprint,
  );
  const { segments: manifestSegments } = store.manifest;
  const positions = [0];
  for (const s of manifestSegments) positions.push(positions.at(-1)! + s.count);
  const counts = manifestSegments.map((s) => s.count);
  const isKept = (s: number) => state.sorted !== undefined && state.segments[s]?.source === manifestSegments[s]?.elements;
  const sent = layout(counts, (s) => !isKept(s));
  const kept = layout(counts, isKept);
  const size = sent.starts.at(-1)!;
  const keptFiles = (tag: string): SortedKeptFiles => {
    const names = keptFileNames(tag);
    return { data: join(dir, names.data), index: join(dir, names.index) };
  };
  const writing = new Map<number, { file: FileHandle; temp: string; written: number }>();

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
  /** Sorts the segments returned in full and merges them with what stays kept into a new kept set; the next state. */
  const merge = async (complete: number[]): Promise<State> => {
    const tag = Buffer.from(randomBytes(8)).toString('hex');
    const rewritten = new Set(complete);
    // A concurrent session of this relationship may have replaced the kept set since: what it held is then sent again.
    const base = state.sorted === undefined ? undefined : keptFiles(state.sorted.tag).data;
    const baseThere =
      base !== undefined &&
      (await access(base).then(
        () => true,
        () => false,
      ));
    const stays = (s: number) => baseThere && isKept(s) && !rewritten.has(s);
    const next: State = { format: STATE_FORMAT, fingerprint: ref.fingerprint, segments: {} };
    for (const s of kept.segments) if (stays(s)) next.segments[s] = { source: manifestSegments[s]!.elements };
    const runs: string[] = [];
    const files = keptFiles(tag);
    try {
      for (const s of complete) {
        const run = join(dir, `.run-${s}.${tag}.partial`);
        runs.push(run);
        await writeFile(run, sortedRun(new Uint8Array(await readFile(writing.get(s)!.temp)), s), { flag: 'wx', mode: 0o600 });
        next.segments[s] = { source: manifestSegments[s]!.elements };
      }
      const inputs: { path: string; keep: (s: number) => boolean }[] = runs.map((path) => ({ path, keep: () => true }));
      if (baseThere) inputs.unshift({ path: base, keep: stays });
      next.sorted = { ...(await writeSortedKept(files, inputs)), tag };
      return next;
    } catch (e) {
      await Promise.all([files.data, files.index].map((f) => unlink(f).catch(() => undefined)));
      if (e instanceof PsiError) throw e;
      throw new PsiError('STORE_WRITE_FAILED', `cannot write the kept set of ${dir}: ${(e as Error).message}`, { cause: e });
    } finally {
      await Promise.all(runs.map((f) => unlink(f).catch(() => undefined)));
    }
  };

  const keptState = kept.segments.map((s) => [s, manifestSegments[s]!.elements]);
  const memoDigest = memo.digest === undefined ? null : Buffer.from(memo.digest).toString('hex');
  return {
    sent: size,
    kept: kept.starts.at(-1)!,
    get reblindHits() {
      return memo.hits;
    },
    digest: new Uint8Array(
      createHash('sha256')
        .update(
          JSON.stringify({
            relationship: ref.id,
            fingerprint: ref.fingerprint,
            kept: keptState,
            index: state.sorted?.index ?? null,
            memo: memoDigest,
          }),
        )
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
            w = { file: await open(temp, 'wx', 0o600), temp, written: 0 };
            writing.set(s, w);
          }
          await w.file.write(elements.subarray((at - offset) * ELEMENT_BYTES, (at - offset + n) * ELEMENT_BYTES));
          w.written += n;
        });
      },
      async joinKept(peer) {
        if (state.sorted === undefined || kept.segments.length === 0) return [];
        // Kept segment -> its run in the view; -1 for one not kept now (changed since), whose records are skipped.
        const runOfSegment = new Int32Array(counts.length).fill(-1);
        kept.segments.forEach((s, r) => (runOfSegment[s] = r));
        const matches = await joinSortedKept(keptFiles(state.sorted.tag), state.sorted, peer, (s) => (runOfSegment[s] ?? -1) >= 0);
        return matches.map((m) => ({ peer: m.query, index: size + kept.starts[runOfSegment[m.segment]!]! + m.offset }));
      },
      reblind: (elements, compute) => memo.reblind(elements, compute),
    },
    rowsOf: (indices) => store.rowsOf(indices.map(toPosition)),
    entriesOf: (indices) => store.entriesOf(indices.map(toPosition)),
    async commit() {
      await closeAll();
      const complete = [...writing].filter(([s, w]) => w.written === counts[s]).map(([s]) => s);
      try {
        await memo.keep(memoPath).catch((e: unknown) => {
          throw new PsiError('STORE_WRITE_FAILED', `cannot write ${memoPath}: ${(e as Error).message}`, { cause: e });
        });
        if (complete.length === 0) return;
        const next = await merge(complete);
        try {
          if (states === undefined) await writeFileAtomic(statePath, JSON.stringify(next));
          else await states.write(owner, ref.id, store.epoch, JSON.stringify(next));
        } catch (e) {
          const files = keptFiles(next.sorted!.tag);
          await Promise.all([files.data, files.index].map((f) => unlink(f).catch(() => undefined)));
          throw new PsiError('STORE_WRITE_FAILED', `cannot write ${statePath}: ${(e as Error).message}`, { cause: e });
        }
        // What was kept before is of no further use.
        await Promise.all(stored.map((f) => unlink(join(dir, f)).catch(() => undefined)));
      } finally {
        await Promise.all([...writing.values()].map((w) => unlink(w.temp).catch(() => undefined)));
        writing.clear();
      }
    },
    async discard() {
      await closeAll();
      for (const w of writing.values()) await unlink(w.temp).catch(() => undefined);
      writing.clear();
    },
  };
}
