import { PsiError } from '../errors.js';
import { zeroize } from './scalar.js';
import { groupSuite, isSyncBackend, type SyncGroupBackend } from './suite.js';
import type { FromWorker, ToWorker, WorkerSetup } from './thread-messages.js';

/**
 * Loads the backend a blinding thread runs. Rejects with `BACKEND_UNAVAILABLE` for
 * an asynchronous one: pools start threads only for synchronous backends, so one
 * here is a bug upstream.
 *
 * @example
 * ```ts
 * const backend = await loadThreadBackend({ group: 'x25519', backend: 'sodium' });
 * ```
 */
export async function loadThreadBackend(setup: WorkerSetup): Promise<SyncGroupBackend> {
  const loaded = await groupSuite(setup.group).loadBackend(setup.backend);
  if (!isSyncBackend(loaded))
    throw new PsiError('BACKEND_UNAVAILABLE', `backend ${loaded.name} is asynchronous and cannot run in a worker`);
  return loaded;
}

/**
 * Sends a reply from a blinding thread to its pool, moving the buffers listed.
 *
 * @example
 * ```ts
 * const reply: ThreadReply = (msg, transfer) => parentPort.postMessage(msg, transfer);
 * ```
 */
export type ThreadReply = (msg: FromWorker, transfer: ArrayBuffer[]) => void;

/**
 * What a blinding thread does with each message of its pool, on a loaded
 * backend: holds the keys it is sent, runs tasks under them, and zeroises a
 * key when told to drop it. A task's failure is its reply (a `PsiError` keeps
 * its code), never the thread's. The platform's part is only the port: Node's
 * `parentPort` (`src/pool/worker.ts`), a Web Worker's scope (`src/ui/blinding-thread.ts`).
 *
 * @example
 * ```ts
 * const handle = blindingThreadHandler(backend, (msg, transfer) => port.postMessage(msg, transfer));
 * port.on('message', handle);
 * ```
 */
export function blindingThreadHandler(backend: SyncGroupBackend, reply: ThreadReply): (msg: ToWorker) => void {
  const keys = new Map<number, Uint8Array>();

  function run(msg: Extract<ToWorker, { type: 'task' }>): void {
    try {
      const key = keys.get(msg.keyId);
      if (key === undefined) throw new PsiError('BLINDER_CLOSED', 'the blinder was closed');
      const out = msg.op === 'blind' ? backend.blindUniform(msg.data, key) : backend.multiply(msg.data, key);
      reply({ id: msg.id, out }, [out.buffer as ArrayBuffer]);
    } catch (e) {
      const code = e instanceof PsiError ? e.code : 'WORKER_FAILED';
      reply({ id: msg.id, error: { code, message: e instanceof Error ? e.message : String(e) } }, []);
    }
  }

  return (msg) => {
    switch (msg.type) {
      case 'key':
        keys.set(msg.keyId, msg.key);
        return;
      case 'drop': {
        const key = keys.get(msg.keyId);
        if (key !== undefined) zeroize(key);
        keys.delete(msg.keyId);
        reply({ id: msg.id, held: keys.size }, []);
        return;
      }
      case 'task':
        run(msg);
        return;
      case 'held':
        reply({ id: msg.id, held: keys.size }, []);
    }
  };
}
