import type { Job } from 'bullmq';
import { readFile } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import { PsiError } from '../errors.js';
import type { Blinder } from '../group/blinder.js';
import { ELEMENT_BYTES, UNIFORM_BYTES } from '../group/constants.js';
import { createBlinder } from '../group/create-blinder.js';
import { workerThreads } from '../pool/threads.js';
import type { BackendChoice } from '../group/load.js';
import type { GroupName } from '../group/suite.js';
import { readKeyFile } from '../store/key-file.js';
import { storePaths } from '../store/layout.js';
import { writeStoreFile } from '../store/segment-files.js';
import { sha256Hex } from '../store/verify.js';
import { connectQueue, type QueueAt } from './connection.js';
import { checkSegmentJob, segmentInput } from './segment-job.js';

/**
 * Options of {@link runSegmentWorker}.
 *
 * @example
 * ```ts
 * const opts: SegmentWorkerOptions = { queue: { url: 'redis://127.0.0.1:6379' }, workers: 2, stalledAfterMs: 30_000 };
 * ```
 */
export interface SegmentWorkerOptions {
  queue: QueueAt;
  /** Where this machine sees the store (default: the path in each job, as the coordinator saw it). */
  store?: string;
  backend?: BackendChoice | undefined;
  /** Blinding threads (default: all cores). */
  workers?: number | undefined;
  /** A job whose worker has not renewed its lock for this long is given to another worker (default 30 s). */
  stalledAfterMs?: number;
  /** One line per segment blinded or failed (no identifier, no key). */
  log?: (line: string) => void;
}

/** The blinder of the epoch last seen: jobs of one epoch come in a row, so one is kept. */
function blinders(opts: SegmentWorkerOptions): {
  get(keyPath: string, group: GroupName): Promise<Blinder>;
  close(): Promise<void>;
} {
  let held: { keyPath: string; blinder: Blinder } | undefined;
  return {
    async get(keyPath, group) {
      if (held?.keyPath === keyPath) return held.blinder;
      await held?.blinder.close();
      held = undefined;
      const blinder = await createBlinder({
        group,
        key: await readKeyFile(keyPath),
        backend: opts.backend,
        workers: opts.workers,
        threads: workerThreads,
      });
      held = { keyPath, blinder };
      return blinder;
    },
    async close() {
      await held?.blinder.close();
      held = undefined;
    },
  };
}

/** Elements blinded between two turns of the event loop, which renews the job's lock. */
const PIECE = 1024;

/** Blinds a segment a piece at a time: a blinder without threads would otherwise hold the event loop for all of it. */
async function blindInPieces(blinder: Blinder, packed: Uint8Array): Promise<Uint8Array> {
  const count = packed.length / UNIFORM_BYTES;
  const out = new Uint8Array(count * ELEMENT_BYTES);
  for (let from = 0; from < count; from += PIECE) {
    const to = Math.min(count, from + PIECE);
    out.set(await blinder.blind(packed.subarray(from * UNIFORM_BYTES, to * UNIFORM_BYTES)), from * ELEMENT_BYTES);
    await setImmediate();
  }
  return out;
}

/**
 * `blindjoin worker`: takes segments off the prepare queue one at a time,
 * blinds each under its epoch's key (read from the store's key file, never
 * from the queue) and writes its element file atomically beside the row map
 * the coordinator wrote. Holds a lock on the job while it works: a worker that
 * dies loses it and the job goes to another worker. Runs until `stop` aborts,
 * then finishes the segment in hand.
 *
 * @example
 * ```ts
 * await runSegmentWorker({ queue: { url: 'redis://127.0.0.1:6379' } }, AbortSignal.timeout(3_600_000));
 * ```
 */
export async function runSegmentWorker(opts: SegmentWorkerOptions, stop: AbortSignal): Promise<void> {
  const link = connectQueue(opts.queue);
  const keys = blinders(opts);
  const lockDuration = opts.stalledAfterMs ?? 30_000;
  const worker = link.worker(
    async (job) => {
      const segment = checkSegmentJob(job.data);
      const paths = storePaths(opts.store ?? segment.store, segment.epoch);
      const blinder = await keys.get(paths.key, segment.group);
      const input = segmentInput(paths, segment.segment);
      const packed = new Uint8Array(
        await readFile(input).catch((e: Error) => {
          throw new PsiError('STORE_NOT_FOUND', `cannot read ${input}: ${e.message}`, { cause: e });
        }),
      );
      if (packed.length !== segment.count * UNIFORM_BYTES) {
        throw new PsiError('STORE_CORRUPT', `${input} holds ${packed.length} bytes for ${segment.count} elements`);
      }
      const elements = await blindInPieces(blinder, packed);
      await writeStoreFile(paths.elements(segment.segment, 0), elements);
      opts.log?.(`segment ${segment.segment} of epoch ${segment.epoch}: ${segment.count} elements blinded\n`);
      return { elements: sha256Hex(elements) };
    },
    { concurrency: 1, lockDuration, stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)), maxStalledCount: 5 },
  );
  worker.on('failed', ((job: Job | undefined, error: Error) => {
    const what = job === undefined ? 'a job' : `job ${String(job.id)}`;
    opts.log?.(`${what} failed: ${error instanceof PsiError ? `${error.code}: ` : ''}${error.message}\n`);
  }) as (...args: never[]) => void);
  let lastError = '';
  worker.on('error', (error: Error) => {
    // A queue that is down fails every poll: say so once per distinct message.
    if (error.message !== lastError) opts.log?.(`queue error: ${error.message}\n`);
    lastError = error.message;
  });
  try {
    if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  } finally {
    await worker.close();
    await link.close();
    await keys.close();
  }
}
