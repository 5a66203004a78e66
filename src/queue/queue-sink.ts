import { randomInt } from 'node:crypto';
import { concatParts, sameBytes } from '../bytes.js';
import { access, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES, UNIFORM_BYTES } from '../group/constants.js';
import { createBlinder } from '../group/create-blinder.js';
import { workerThreads } from '../pool/threads.js';
import { encodeRowMapTexts } from '../store/row-map.js';
import { writeStoreFile } from '../store/segment-files.js';
import type { SinkContext, SinkFactory } from '../store/segment-sink.js';
import { sha256Hex } from '../store/verify.js';
import { connectQueue, onQueue, type QueueAt } from './connection.js';
import { segmentInput, segmentJobId, type SegmentJob } from './segment-job.js';

/** Elements of each segment the coordinator blinds itself to check a worker's file. */
const SAMPLES = 8;
/** Tries of a job that fails by throwing (a worker killed mid-job is retried apart from these). */
const ATTEMPTS = 3;

/** A segment handed to the workers: what checks its element file once it appears. */
interface Pending {
  job: SegmentJob;
  rows: string;
  samples: { k: number; uniform: Uint8Array }[];
}

/**
 * Options of {@link queueSink}.
 *
 * @example
 * ```ts
 * const opts: QueueSinkOptions = { queue: { url: 'redis://127.0.0.1:6379' }, pollMs: 500 };
 * ```
 */
export interface QueueSinkOptions {
  queue: QueueAt;
  /** How often the coordinator looks for finished segments (default 500 ms). */
  pollMs?: number;
}

function sampleOf(packed: Uint8Array, count: number): { k: number; uniform: Uint8Array }[] {
  return Array.from({ length: Math.min(SAMPLES, count) }, () => {
    const k = randomInt(count);
    return { k, uniform: packed.slice(k * UNIFORM_BYTES, (k + 1) * UNIFORM_BYTES) };
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The sink of `prepare --queue`: the coordinator writes each segment's row map
 * and its hash-to-group bytes to the store (which workers share, possibly over
 * a network file system) and queues a job naming them; workers blind it under
 * the epoch key read from the store. A segment counts as written only once
 * its element file has the right length and elements the coordinator blinds
 * itself, at random positions unknown to the worker, match it: a worker with
 * another key or a torn file is caught before the manifest is written. A job
 * that fails on every try stops `prepare` (rerun it to resume).
 *
 * @example
 * ```ts
 * await prepareStore('/mnt/store', rows, { sink: queueSink({ queue: { url: 'redis://127.0.0.1:6379' } }) });
 * ```
 */
export function queueSink(opts: QueueSinkOptions): SinkFactory {
  return async (context: SinkContext) => {
    const link = connectQueue(opts.queue);
    const queue = link.queue();
    const verifier = await createBlinder({ group: context.group, key: context.key, workers: 1, threads: workerThreads });
    const store = resolve(context.paths.epochDir, '..');
    const pending = new Map<number, Pending>();

    const settle = async (index: number, segment: Pending): Promise<void> => {
      const path = context.paths.elements(index, 0);
      const elements = new Uint8Array(await readFile(path));
      const bad = (why: string) => new PsiError('STORE_CORRUPT', `segment ${index} written by a worker ${why}; rerun prepare to redo it`);
      if (elements.length !== segment.job.count * ELEMENT_BYTES)
        throw bad(`holds ${elements.length} bytes for ${segment.job.count} elements`);
      const expected = await verifier.blind(concatParts(segment.samples.map((s) => s.uniform)));
      segment.samples.forEach(({ k }, i) => {
        const got = elements.subarray(k * ELEMENT_BYTES, (k + 1) * ELEMENT_BYTES);
        if (!sameBytes(got, expected.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES))) {
          throw bad('does not hold the elements blinded under the epoch key');
        }
      });
      pending.delete(index);
      await context.written(index, { count: segment.job.count, gen: 0, elements: sha256Hex(elements), rows: segment.rows });
      await rm(segmentInput(context.paths, index), { force: true });
    };

    const failure = async (segment: Pending): Promise<string | undefined> => {
      return onQueue('read a job', async () => {
        const job = await queue.getJob(segmentJobId(segment.job));
        if (job === undefined || !(await job.isFailed())) return undefined;
        return job.failedReason;
      });
    };

    return {
      async put(index, packed, entries) {
        const rowMap = encodeRowMapTexts(entries);
        await writeStoreFile(context.paths.rows(index, 0), rowMap);
        const job: SegmentJob = { store, epoch: context.label, segment: index, count: entries.length, group: context.group };
        const segment: Pending = { job, rows: sha256Hex(rowMap), samples: sampleOf(packed, entries.length) };
        pending.set(index, segment);
        // A worker may have written it while an earlier coordinator was down: checked like any other.
        if (await exists(context.paths.elements(index, 0))) {
          const kept = await settle(index, segment).then(
            () => true,
            () => false,
          );
          if (kept) return;
          pending.set(index, segment);
        }
        await writeStoreFile(segmentInput(context.paths, index), packed);
        const id = segmentJobId(job);
        await onQueue(`queue segment ${index}`, async () => {
          // A job that failed in an earlier run would keep its id from being queued again.
          const old = await queue.getJob(id);
          if (old !== undefined && (await old.isFailed())) await old.remove();
          await queue.add('blind', job, {
            jobId: id,
            attempts: ATTEMPTS,
            backoff: { type: 'fixed', delay: 1000 },
            removeOnComplete: true,
            removeOnFail: false,
          });
        });
      },
      async drain() {
        while (pending.size > 0) {
          context.signal?.throwIfAborted();
          let progressed = false;
          for (const [index, segment] of [...pending]) {
            context.signal?.throwIfAborted();
            if (await exists(context.paths.elements(index, 0))) {
              await settle(index, segment);
              progressed = true;
            }
          }
          if (progressed) continue;
          // Nothing new: a job that failed on every try ends the run (its segment stays pending for a rerun).
          for (const segment of pending.values()) {
            const reason = await failure(segment);
            if (reason !== undefined) {
              throw new PsiError('PREPARE_SEGMENT_FAILED', `segment ${segment.job.segment} failed on every worker try: ${reason}`);
            }
          }
          await sleep(opts.pollMs ?? 500);
        }
      },
      async close() {
        await verifier.close();
        await link.close();
      },
    };
  };
}
