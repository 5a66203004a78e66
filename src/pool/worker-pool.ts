import type { Worker } from 'node:worker_threads';
import { isPsiErrorCode, PsiError } from '../errors.js';
import type { GroupName } from '../group/suite.js';
import type { BlindingPool, ChunkOp } from '../group/threads.js';
import type { FromWorker, ToWorker, WorkerSetup } from './messages.js';
import { spawnWorker } from './spawn.js';

/** Tasks posted to one worker at a time: one running, one waiting, so it never idles on the main thread. */
const TASKS_PER_WORKER = 2;

type Request = ToWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Pending {
  resolve(msg: FromWorker): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  tasks: number;
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
function sendKey(worker: Worker, keyId: number, key: Uint8Array): void {
  const copy = new Uint8Array(key);
  worker.postMessage({ type: 'key', keyId, key: copy } satisfies ToWorker, [copy.buffer]);
}

/**
 * A fixed number of worker threads, started on first use, that hold registered
 * keys and run chunk tasks from one FIFO queue. Each task's input is copied into
 * a buffer of its own and transferred, and the output is transferred back, so no
 * bytes are cloned in flight. Threads do not keep the process alive while idle.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool('sodium', 2); // ristretto255; new WorkerPool('sodium-native', 2, 'x25519')
 * const keyId = pool.register(key);
 * const out = await pool.run('reblind', keyId, elements);
 * await pool.unregister(keyId);
 * await pool.terminate();
 * ```
 */
export class WorkerPool implements BlindingPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private readonly keys = new Map<number, Uint8Array>();
  private nextId = 1;
  private failure: PsiError | undefined;
  private referenced = true;

  constructor(
    readonly backend: WorkerSetup['backend'],
    readonly size: number,
    readonly group: GroupName = 'ristretto255',
  ) {}

  /** Sends `key` once to every thread (and to threads started later); returns its id. */
  register(key: Uint8Array): number {
    const keyId = this.nextId++;
    this.keys.set(keyId, key);
    for (const slot of this.slots) sendKey(slot.worker, keyId, key);
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

  /** Number of keys each running thread holds; a diagnostic for key hygiene. */
  async heldKeys(): Promise<number[]> {
    const replies = await Promise.all(this.slots.map((slot) => this.request(slot, { type: 'held' })));
    return replies.map((r) => ('held' in r ? r.held : -1));
  }

  /** Stops every thread; whatever is still pending rejects with `BLINDER_CLOSED`. */
  async terminate(): Promise<void> {
    const slots = this.abort(new PsiError('BLINDER_CLOSED', 'the worker pool was shut down'));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
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
          if ('out' in reply) task.resolve(reply.out);
          else if ('error' in reply)
            task.reject(new PsiError(isPsiErrorCode(reply.error.code) ? reply.error.code : 'WORKER_FAILED', reply.error.message));
        }, task.reject)
        .finally(() => {
          slot.tasks--;
          this.pump();
        });
    }
  }

  private freeSlot(): Slot | undefined {
    while (this.slots.length < this.size) this.spawn();
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.tasks < TASKS_PER_WORKER && (best === undefined || slot.tasks < best.tasks)) best = slot;
    return best;
  }

  private spawn(): void {
    const worker = spawnWorker({ group: this.group, backend: this.backend });
    const slot: Slot = { worker, pending: new Map(), tasks: 0 };
    worker.on('message', (msg: FromWorker) => {
      const pending = slot.pending.get(msg.id);
      slot.pending.delete(msg.id);
      this.updateRef();
      pending?.resolve(msg);
    });
    worker.on('error', (cause) =>
      this.fail(new PsiError('WORKER_FAILED', `a ${this.group}/${this.backend} worker failed: ${cause.message}`, { cause })),
    );
    worker.on('exit', (code) =>
      this.fail(new PsiError('WORKER_FAILED', `a ${this.group}/${this.backend} worker exited with code ${code}`)),
    );
    for (const [keyId, key] of this.keys) sendKey(worker, keyId, key);
    if (!this.referenced) worker.unref();
    this.slots.push(slot);
  }

  private request(slot: Slot, msg: Request, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...msg, id }, transfer);
      this.updateRef();
    });
  }

  /** Holds the process open exactly while some reply is awaited. */
  private updateRef(): void {
    const busy = this.slots.some((slot) => slot.pending.size > 0);
    if (busy === this.referenced) return;
    this.referenced = busy;
    for (const slot of this.slots) {
      if (busy) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  private fail(error: PsiError): void {
    if (this.failure !== undefined) return;
    for (const slot of this.abort(error)) void slot.worker.terminate();
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
