import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import type { StorePaths } from './layout.js';
import type { SegmentEntry } from './manifest.js';

/**
 * What a sink is told about the epoch it writes: where, in which group, under
 * which key (the sink's own copy, zeroised when it closes), how many segments,
 * and whom to tell when a segment is written and verified.
 *
 * @example
 * ```ts
 * const context: SinkContext = { paths, label: 'e1', group: 'x25519', key, segments: 153, written: (s, entry) => journal(s, entry) };
 * ```
 */
export interface SinkContext {
  paths: StorePaths;
  label: string;
  group: GroupName;
  key: Uint8Array;
  segments: number;
  backend?: BackendChoice | undefined;
  workers?: number | undefined;
  /** Called once per segment, in any order, after its files are written and verified. */
  written(index: number, entry: SegmentEntry): Promise<void>;
  signal?: AbortSignal;
}

/**
 * Where a `prepare` hands its segments to be blinded and written: this
 * process ({@link blindHere}), or workers on a job queue.
 *
 * @example
 * ```ts
 * const sink = await blindHere(context);
 * await sink.put(0, packed, entries);
 * await sink.drain();
 * await sink.close();
 * ```
 */
export interface SegmentSink {
  /** Takes segment `index` (hash-to-group bytes and row-map entries); resolves when the caller may drop them. */
  put(index: number, packed: Uint8Array, entries: readonly Uint8Array[]): Promise<void>;
  /** Resolves once every segment put has been written and verified (`written` called for each). */
  drain(): Promise<void>;
  /** Frees what the sink holds (threads, connections, its copy of the key); safe after a failure. */
  close(): Promise<void>;
}

/**
 * Makes the sink of one `prepare` run.
 *
 * @example
 * ```ts
 * const factory: SinkFactory = blindHere;
 * ```
 */
export type SinkFactory = (context: SinkContext) => Promise<SegmentSink>;
