import { Queue, Worker, createPostgresBackend, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { PsiError } from '../errors.js';

/**
 * The queue `prepare` hands segments to when no `--queue-name` is given.
 *
 * @example
 * ```ts
 * new Queue(DEFAULT_QUEUE_NAME, { connection });
 * ```
 */
export const DEFAULT_QUEUE_NAME = 'blindjoin-prepare';

/**
 * Where a job queue lives: `redis://` / `rediss://` (BullMQ on Redis) or
 * `postgres://` / `postgresql://` (BullMQ's PostgreSQL backend), and its name.
 *
 * @example
 * ```ts
 * const at: QueueAt = { url: 'redis://127.0.0.1:6379', name: 'blindjoin-prepare' };
 * ```
 */
export interface QueueAt {
  url: string;
  name?: string;
}

/**
 * What `prepare` and its workers use of a queue (BullMQ's `Queue`, on either backend).
 *
 * @example
 * ```ts
 * await link.queue().add('blind', { segment: 3 }, { jobId: 'e1.3' });
 * ```
 */
export interface JobQueue {
  add(name: string, data: object, opts?: JobsOptions): Promise<unknown>;
  getJob(id: string): Promise<Job | undefined>;
  obliterate(opts: { force: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a worker process runs of a queue (BullMQ's `Worker`, on either backend).
 *
 * @example
 * ```ts
 * const worker = link.worker(async (job) => blind(job.data), { concurrency: 1 });
 * ```
 */
export interface JobWorker {
  on(event: 'failed' | 'error' | 'completed', listener: (...args: never[]) => void): unknown;
  close(): Promise<void>;
}

/**
 * An open connection to a job queue, able to make the queue's producer and
 * workers, closed with everything it made.
 *
 * @example
 * ```ts
 * const link = connectQueue({ url: 'redis://127.0.0.1:6379' });
 * const queue = link.queue();
 * await link.close();
 * ```
 */
export interface QueueLink {
  readonly name: string;
  queue(): JobQueue;
  worker(processor: (job: Job) => Promise<unknown>, opts: Omit<WorkerOptions, 'connection'>): JobWorker;
  close(): Promise<void>;
}

function schemeOf(url: string): 'redis' | 'postgres' {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new PsiError('OPTIONS_INVALID', '--queue must be a URL: redis://HOST:PORT[/DB] or postgres://USER@HOST:PORT/DATABASE');
  }
  if (protocol === 'redis:' || protocol === 'rediss:') return 'redis';
  if (protocol === 'postgres:' || protocol === 'postgresql:') return 'postgres';
  throw new PsiError('OPTIONS_INVALID', `--queue: ${protocol} is not redis:, rediss:, postgres: or postgresql:`);
}

/**
 * Opens the job queue at `at.url` (checked: `OPTIONS_INVALID` otherwise).
 * Credentials in the URL stay in this process and are never printed.
 *
 * @example
 * ```ts
 * const link = connectQueue({ url: process.env.QUEUE_URL!, name: 'prepare-eu' });
 * ```
 */
export function connectQueue(at: QueueAt): QueueLink {
  const name = at.name ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new PsiError('OPTIONS_INVALID', `queue name ${JSON.stringify(name)} must be 1-100 letters, digits, '.', '_' or '-'`);
  }
  const made: { close(): Promise<void> }[] = [];
  const redis: Redis[] = [];
  const keep = <T extends { close(): Promise<void> }>(x: T): T => (made.push(x), x);
  const scheme = schemeOf(at.url);
  const redisConnection = (blocking: boolean) => {
    // Workers block on Redis: BullMQ wants no per-request retry limit on their connection; the producer fails fast.
    const connection = new Redis(at.url, { maxRetriesPerRequest: blocking ? null : 3 });
    redis.push(connection);
    return connection;
  };
  // BullMQ keeps its tables in schema bullmq of that database, created (and migrated) on first connect.
  const postgres = () => ({ connectionString: at.url, migrate: true });
  return {
    name,
    queue(): JobQueue {
      return keep(
        scheme === 'redis'
          ? new Queue(name, { connection: redisConnection(false) })
          : new Queue(name, { connection: postgres() }, createPostgresBackend),
      );
    },
    worker(processor, opts): JobWorker {
      return keep(
        scheme === 'redis'
          ? new Worker(name, processor, { ...opts, connection: redisConnection(true) })
          : new Worker(name, processor, { ...opts, connection: postgres() }, createPostgresBackend),
      );
    },
    async close() {
      await Promise.allSettled(made.map((x) => x.close()));
      await Promise.allSettled(redis.map((r) => r.quit()));
    },
  };
}

/**
 * Runs one operation on the queue, turning a failure of the queue (not
 * reachable, refused) into `QUEUE_UNAVAILABLE` saying what was being done.
 *
 * @example
 * ```ts
 * await onQueue('queue segment 3', () => queue.add('blind', job, { jobId }));
 * ```
 */
export async function onQueue<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof PsiError) throw e;
    throw new PsiError('QUEUE_UNAVAILABLE', `${what}: ${(e as Error).message}`, { cause: e });
  }
}
