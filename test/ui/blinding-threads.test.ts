import { randomBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { loadX25519Backend, randomX25519Key, isSyncX25519Backend } from '../../src/group/index.js';
import { chunkedBlinder } from '../../src/group/chunked-blinder.js';
import type { ThreadPool } from '../../src/group/thread-pool.js';
import { serveBlindingThread, type FromBlindingThread } from '../../src/ui/blinding-thread.js';
import { blindingWorkerCount, webBlindingThreads, type WorkerLike } from '../../src/ui/blinding-threads.js';
import { expectThreadsMatchInline } from '../group/threads-match-inline.js';

const loaded = await loadX25519Backend('sodium');
if (!isSyncX25519Backend(loaded)) throw new Error('libsodium WASM is synchronous');
const sodium = loaded;

type Listener = (event: never) => void;

/**
 * A Web Worker without a browser: each side's messages are structured-cloned with their transfer list (so moved
 * buffers are detached, as between real workers) and delivered on a later task, in order; the far side runs the
 * page's blinding thread (`serveBlindingThread`), as blinding.js does.
 */
class FakeWorker implements WorkerLike {
  readonly listeners = new Map<string, Listener[]>();
  private readonly inside: ((event: { data: unknown }) => void)[] = [];
  terminated = false;
  errorHandled = false;

  constructor() {
    serveBlindingThread({
      postMessage: (msg, { transfer }) => this.deliver(() => this.emit('message', { data: structuredClone(msg, { transfer }) })),
      addEventListener: (_type, listener) => this.inside.push(listener),
    });
  }

  postMessage(message: unknown, { transfer }: { transfer: Transferable[] }): void {
    const data = structuredClone(message, { transfer: transfer as ArrayBuffer[] });
    this.deliver(() => this.inside.forEach((listener) => listener({ data })));
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** What a worker's uncaught error does: an `error` event on its Worker object. */
  crash(message: string): void {
    this.emit('error', { message, preventDefault: () => (this.errorHandled = true) });
  }

  private deliver(fn: () => void): void {
    setTimeout(() => {
      if (!this.terminated) fn();
    });
  }

  private emit(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event as never);
  }
}

function fakeWorkers(): { start: () => WorkerLike; started: FakeWorker[] } {
  const started: FakeWorker[] = [];
  return {
    started,
    start: () => {
      const worker = new FakeWorker();
      started.push(worker);
      return worker;
    },
  };
}

/** Packed uniform strings of `n` x25519 items. */
const uniformOf = (n: number) => randomBytes(n * 64);

describe("the page's blinding workers", () => {
  it('one per core, at least 1 and at most 4', () => {
    expect(blindingWorkerCount(2)).toBe(2);
    expect(blindingWorkerCount(16)).toBe(4);
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -4, max: 256 }), fc.double(), fc.constant(undefined)), (cores) => {
        const count = blindingWorkerCount(cores);
        expect(Number.isInteger(count) && count >= 1 && count <= 4).toBe(true);
        if (Number.isInteger(cores) && cores! >= 1 && cores! <= 4) expect(count).toBe(cores);
      }),
    );
  });

  it('blind and reblind byte-identical to inline, spread over every worker', async () => {
    const { start, started } = fakeWorkers();
    const threads = webBlindingThreads(start, 2);
    await expectThreadsMatchInline(sodium, randomX25519Key, () => threads.lease('sodium', undefined, 'x25519'), 20);
    // One pool of two workers, shared by every blinder, both of which did work.
    expect(started.length).toBe(2);
    expect(threads.threadsUsed()).toBe(2);
  });

  it('close zeroises the key and every worker forgets its copy', async () => {
    const threads = webBlindingThreads(fakeWorkers().start, 2);
    const lease = threads.lease('sodium', undefined, 'x25519');
    const pool = lease.pool as ThreadPool;
    const key = randomX25519Key();
    const blinder = chunkedBlinder(sodium, key, lease, { inlineBelow: 0, pieceItems: 2 });
    await blinder.blind(uniformOf(8));
    expect(await pool.heldKeys()).toEqual([1, 1]);
    await blinder.close();
    expect(key.every((x) => x === 0)).toBe(true);
    expect(await pool.heldKeys()).toEqual([0, 0]);
  });

  it('a worker whose backend does not load fails the call with a typed error, not a hang', async () => {
    const { start, started } = fakeWorkers();
    const threads = webBlindingThreads(start, 2);
    // WebCrypto's X25519 is asynchronous: no thread runs it.
    const blinder = chunkedBlinder(sodium, randomX25519Key(), threads.lease('webcrypto', undefined, 'x25519'), { inlineBelow: 0 });
    await expect(blinder.blind(uniformOf(10))).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(blinder.reblind(sodium.fromUniform(uniformOf(3)))).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await blinder.close();
    expect(started.every((worker) => worker.terminated)).toBe(true);
  });

  it('a worker that crashes fails what is pending with WORKER_FAILED; the next lease starts fresh workers', async () => {
    const { start, started } = fakeWorkers();
    const threads = webBlindingThreads(start, 2);
    const key = randomX25519Key();
    const blinder = chunkedBlinder(sodium, key.slice(), threads.lease('sodium', undefined, 'x25519'), { inlineBelow: 0, pieceItems: 4 });
    const pending = blinder.blind(uniformOf(40));
    started[1]!.crash('out of memory');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PsiError);
    expect(error).toMatchObject({ code: 'WORKER_FAILED', message: expect.stringContaining('out of memory') });
    expect(started[1]!.errorHandled).toBe(true);
    expect(started.every((worker) => worker.terminated)).toBe(true);
    await blinder.close();

    const again = chunkedBlinder(sodium, key.slice(), threads.lease('sodium', undefined, 'x25519'), { inlineBelow: 0 });
    const uniform = uniformOf(5);
    expect(await again.blind(uniform)).toEqual(sodium.blindUniform(uniform, key));
    expect(started.length).toBe(4);
    await again.close();
  });

  it('a worker that cannot be started fails the call with WORKER_FAILED', async () => {
    const threads = webBlindingThreads(() => {
      throw new DOMException('blinding.js is not allowed', 'SecurityError');
    }, 2);
    const blinder = chunkedBlinder(sodium, randomX25519Key(), threads.lease('sodium', undefined, 'x25519'), { inlineBelow: 0 });
    await expect(blinder.blind(uniformOf(3))).rejects.toMatchObject({
      code: 'WORKER_FAILED',
      message: expect.stringContaining('not allowed'),
    });
    await blinder.close();
  });

  it('reports an error of the thread protocol as it is, not as a failed worker', async () => {
    const replies: FromBlindingThread[] = [];
    const inside: ((event: { data: unknown }) => void)[] = [];
    serveBlindingThread({ postMessage: (msg) => replies.push(msg), addEventListener: (_type, listener) => inside.push(listener) });
    const send = (data: unknown) => inside.forEach((listener) => listener({ data }));
    send({ group: 'x25519', backend: 'sodium' });
    send({ type: 'task', id: 7, keyId: 1, op: 'blind', data: uniformOf(1) });
    await vi.waitFor(() => expect(replies.length).toBe(1));
    expect(replies).toEqual([{ id: 7, error: { code: 'BLINDER_CLOSED', message: 'the blinder was closed' } }]);
  });
});
