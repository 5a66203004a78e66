import { createBlinder } from '../group/create-blinder.js';
import { workerThreads } from '../pool/threads.js';
import { zeroize } from '../group/scalar.js';
import type { SegmentSink, SinkContext } from './segment-sink.js';
import { writeSegmentFiles } from './segment-files.js';

/**
 * The sink of a single-process `prepare`: blinds each segment under the epoch
 * key with this process's worker threads and writes its two files before
 * taking the next one.
 *
 * @example
 * ```ts
 * const sink = await blindHere({ paths, label: 'e1', group: 'x25519', key, segments, written });
 * ```
 */
export async function blindHere(context: SinkContext): Promise<SegmentSink> {
  const blinder = await createBlinder({
    group: context.group,
    key: context.key,
    backend: context.backend,
    workers: context.workers,
    threads: workerThreads,
  });
  return {
    async put(index, packed, entries) {
      context.signal?.throwIfAborted();
      const elements = await blinder.blind(packed);
      await context.written(index, await writeSegmentFiles(context.paths, index, 0, elements, entries));
    },
    async drain() {},
    async close() {
      await blinder.close();
      zeroize(context.key);
    },
  };
}
