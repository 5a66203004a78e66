import type { BackendChoice } from '../group/load.js';
import type { CliIo } from './io.js';

/**
 * Options of the `worker` command, as parsed from its flags.
 *
 * @example
 * ```ts
 * const opts: WorkerCommandOptions = { queue: 'redis://127.0.0.1:6379', workers: 2 };
 * ```
 */
export interface WorkerCommandOptions {
  queue: string;
  queueName?: string;
  /** Where this machine mounts the store, when not at the coordinator's path. */
  store?: string;
  stalledAfter?: number;
  workers?: number | undefined;
  backend?: BackendChoice | undefined;
}

/**
 * The `worker` command: blinds the segments `prepare --queue` hands out, until
 * `stop` aborts (SIGINT, SIGTERM), finishing the segment in hand. One line per
 * segment on stderr.
 *
 * @example
 * ```ts
 * await workerCommand({ queue: 'redis://127.0.0.1:6379' }, processIo(), stop);
 * ```
 */
export async function workerCommand(opts: WorkerCommandOptions, io: CliIo, stop: AbortSignal): Promise<void> {
  const name = opts.queueName ?? 'blindjoin-prepare';
  io.err(`worker: blinding segments from queue ${name}\n`);
  const { runSegmentWorker } = await import('../queue/segment-worker.js');
  await runSegmentWorker(
    {
      queue: { url: opts.queue, name },
      ...(opts.store === undefined ? {} : { store: opts.store }),
      ...(opts.stalledAfter === undefined ? {} : { stalledAfterMs: opts.stalledAfter }),
      ...(opts.workers === undefined ? {} : { workers: opts.workers }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
      log: (line) => io.err(`worker: ${line}`),
    },
    stop,
  );
}
