import { isPsiErrorCode, PsiError } from '../errors.js';
import type { FromWorker, ToWorker } from './thread-messages.js';
import type { BlindingPool, ChunkOp } from './threads.js';

/** Tasks posted to one thread at a time: one running, one waiting, so it never idles on the pool's thread. */
const TASKS_PER_THREAD = 2;

/**
 * One started blinding thread as a {@link ThreadPool} drives it: Node's worker
 * thread or a browser's Web Worker behind the same few calls.
 *
 * @example
 * ```ts
 * const thread: PoolThread = { post: (msg, transfer) => worker.postMessage(msg, transfer), terminate: async () => worker.terminate() };
 * ```
 */
export interface PoolThread {
  post(msg: ToWorker, transfer: ArrayBuffer[]): void;
  /** Resolves once the thread is stopped. */
  terminate(): Promise<unknown>;
  /** Whether the thread may keep its process alive: only while a reply is awaited (Node; browsers have no such notion). */
  keepAlive?(busy: boolean): void;
}

/**
 * What a started thread reports to its pool: each reply, and its failure (a crash,
 * an exit, a backend that would not load) as a typed error, once.
 *
 * @example
 * ```ts
 * worker.on('message', events.message);
 * worker.on('exit', (code) => events.fail(new PsiError('WORKER_FAILED', `exited with code ${code}`)));
 * ```
 */
export interface ThreadEvents {
  message(msg: FromWorker): void;
  fail(error: PsiError): void;
}

/**
 * Starts one thread whose replies and failure go to `events`.
 *
 * @example
 * ```ts
 * const spawn: SpawnThread = (events) => webThread(new Worker(url, { type: 'module' }), setup, events);
 * ```
 */
export type SpawnThread = (events: ThreadEvents) => PoolThread;

type Request = ToWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Pending {
  resolve(msg: FromWorker): void;
  reject(e: unknown): void;
}

interface Slot {
  thread: PoolThread;
  pending: Map<number, Pending>;
  tasks: number;
  /** Tasks this thread has answered with an output. */
  done: number;
}

interface Queued {
  keyId: number;
  op: ChunkOp;
  data: Uint8Array;
  resolve(out: Uint8Array): void;
  reject(e: unknown): void;
}

/**
 * Moves a 32-byte copy of the key to a thread. Cloning `key` itself would copy its
 * whole backing buffer (a Node Buffer may sit in a shared 8 KiB slab), and a
 * transferred copy leaves nothing behind on this side.
 */
function sendKey(thread: PoolThread, keyId: number, key: Uint8Array): void {
  const copy = new Uint8Array(key);
  thread.post({ type: 'key', keyId, key: copy }, [copy.buffer]);
}

/**
 * A fixed number of threads, started by `spawn` on first use, that hold registered
 * keys and run chunk tasks from one FIFO queue. Each task's input is copied into a
 * buffer of its own and transferred, and the output is transferred back, so no
 * bytes are cloned in flight. A thread's failure stops the pool: everything pending
 * and every later call rejects with that `PsiError`, never hangs. The platform's
 * part is only `spawn`: Node's worker threads (`src/pool/`), the page's Web Workers
 * (`src/ui/blinding-threads.ts`).
 *
 * @example
 * ```ts
 * const pool = new ThreadPool(2, spawn);
 * const keyId = pool.register(key);
 * const out = await pool.run('reblind', keyId, elements);
 * await pool.unregister(keyId);
 * await pool.terminate();
 * ```
 */
export class ThreadPool implements BlindingPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private readonly keys = new Map<number, Uint8Array>();
  private nextId = 1;
  private failure: PsiError | undefined;
  private referenced = true;

  constructor(
    readonly size: number,
    private readonly spawn: SpawnThread,
  ) {}

  /** The error that stopped the pool (a thread's failure, or `terminate`), if any. */
  get failed(): PsiError | undefined {
    return this.failure;
  }

  /** How many of the running threads have answered at least one task: a diagnostic that the work was spread. */
  get threadsUsed(): number {
    return this.slots.filter((slot) => slot.done > 0).length;
  }

  /** Sends `key` once to every thread (and to threads started later); returns its id. */
  register(key: Uint8Array): number {
    const keyId = this.nextId++;
    this.keys.set(keyId, key);
    for (const slot of this.slots) sendKey(slot.thread, keyId, key);
    return keyId;
  }

  /**
   * Resolves once every thread has zeroised and forgotten its copy of the key.
   * Tasks of the key still queued are rejected with `BLINDER_CLOSED` at once
   * rather than run: a closed session's work stops at its pieces in flight.
   */
  async unregister(keyId: number): Promise<void> {
    this.keys.delete(keyId);
    const dropped = this.queue.filter((task) => task.keyId === keyId);
    this.queue.splice(0, this.queue.length, ...this.queue.filter((task) => task.keyId !== keyId));
    for (const task of dropped) task.reject(new PsiError('BLINDER_CLOSED', 'the blinder was closed'));
    // A stopped pool's threads are gone, and their copies of the key with them.
    if (this.failure !== undefined) return;
    await Promise.all(this.slots.map((slot) => this.request(slot, { type: 'drop', keyId })));
  }

  /** Runs one operation on a chunk under a registered key; `data` is read when the task is dispatched. */
  run(op: ChunkOp, keyId: number, data: Uint8Array): Promise<Uint8Array> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ keyId, op, data, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts every thread not running yet and resolves once each has answered
   * (its backend loaded), so that the next call pays no start-up.
   */
  async warm(): Promise<void> {
    while (this.failure === undefined && this.slots.length < this.size) this.start();
    await Promise.all(this.slots.map((slot) => this.request(slot, { type: 'held' })));
  }

  /** Number of keys each running thread holds; a diagnostic for key hygiene. */
  async heldKeys(): Promise<number[]> {
    const replies = await Promise.all(this.slots.map((slot) => this.request(slot, { type: 'held' })));
    return replies.map((r) => ('held' in r ? r.held : -1));
  }

  /** Stops every thread; whatever is still pending rejects with `BLINDER_CLOSED`. */
  async terminate(): Promise<void> {
    const slots = this.abort(new PsiError('BLINDER_CLOSED', 'the worker pool was shut down'));
    await Promise.all(slots.map((slot) => slot.thread.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      if (slot === undefined) return;
      const task = this.queue.shift()!;
      // A copy with a buffer of its own (Buffer#slice would share, not copy) to transfer.
      const data = new Uint8Array(task.data);
      slot.tasks++;
      this.request(slot, { type: 'task', keyId: task.keyId, op: task.op, data }, [data.buffer])
        .then((reply) => {
          if ('out' in reply) {
            slot.done++;
            task.resolve(reply.out);
          } else if ('error' in reply)
            task.reject(new PsiError(isPsiErrorCode(reply.error.code) ? reply.error.code : 'WORKER_FAILED', reply.error.message));
        }, task.reject)
        .finally(() => {
          slot.tasks--;
          this.pump();
        });
    }
  }

  private freeSlot(): Slot | undefined {
    while (this.failure === undefined && this.slots.length < this.size) this.start();
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.tasks < TASKS_PER_THREAD && (best === undefined || slot.tasks < best.tasks)) best = slot;
    return best;
  }

  private start(): void {
    const pending = new Map<number, Pending>();
    let thread: PoolThread;
    try {
      thread = this.spawn({
        message: (msg) => {
          const waiting = pending.get(msg.id);
          pending.delete(msg.id);
          this.updateRef();
          waiting?.resolve(msg);
        },
        fail: (error) => this.fail(error),
      });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      this.fail(new PsiError('WORKER_FAILED', `a blinding thread could not be started: ${message}`, { cause }));
      return;
    }
    for (const [keyId, key] of this.keys) sendKey(thread, keyId, key);
    thread.keepAlive?.(this.referenced);
    this.slots.push({ thread, pending, tasks: 0, done: 0 });
  }

  private request(slot: Slot, msg: Request, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.thread.post({ ...msg, id }, transfer);
      this.updateRef();
    });
  }

  /** Holds the process open exactly while some reply is awaited. */
  private updateRef(): void {
    const busy = this.slots.some((slot) => slot.pending.size > 0);
    if (busy === this.referenced) return;
    this.referenced = busy;
    for (const slot of this.slots) slot.thread.keepAlive?.(busy);
  }

  private fail(error: PsiError): void {
    if (this.failure !== undefined) return;
    for (const slot of this.abort(error)) void slot.thread.terminate();
  }

  /** Marks the pool unusable, rejects everything pending and hands back the threads to stop. */
  private abort(error: PsiError): Slot[] {
    this.failure ??= error;
    const slots = this.slots.splice(0);
    for (const task of this.queue.splice(0)) task.reject(this.failure);
    for (const slot of slots) {
      for (const pending of slot.pending.values()) pending.reject(this.failure);
      slot.pending.clear();
    }
    return slots;
  }
}
