import { parentPort, workerData } from 'node:worker_threads';
import { PsiError } from '../errors.js';
import { zeroize } from '../group/scalar.js';
import { groupSuite, isSyncBackend } from '../group/suite.js';
import type { FromWorker, ToWorker, WorkerSetup } from './messages.js';

// Entry point of a pool thread. Messages sent while the backend loads are buffered
// by the port until the listener below is attached.
const port = parentPort!;
const setup = workerData as WorkerSetup;
const loaded = await groupSuite(setup.group).loadBackend(setup.backend);
// The pool starts threads only for synchronous backends; an async one here is a bug upstream.
if (!isSyncBackend(loaded)) throw new PsiError('BACKEND_UNAVAILABLE', `backend ${loaded.name} is asynchronous and cannot run in a worker`);
const backend = loaded;
const keys = new Map<number, Uint8Array>();

function reply(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

function run(msg: Extract<ToWorker, { type: 'task' }>): void {
  try {
    const key = keys.get(msg.keyId);
    if (key === undefined) throw new PsiError('BLINDER_CLOSED', 'the blinder was closed');
    const out = msg.op === 'blind' ? backend.blindUniform(msg.data, key) : backend.multiply(msg.data, key);
    reply({ id: msg.id, out }, [out.buffer as ArrayBuffer]);
  } catch (e) {
    const code = e instanceof PsiError ? e.code : 'WORKER_FAILED';
    reply({ id: msg.id, error: { code, message: e instanceof Error ? e.message : String(e) } });
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'key':
      keys.set(msg.keyId, msg.key);
      return;
    case 'drop': {
      const key = keys.get(msg.keyId);
      if (key !== undefined) zeroize(key);
      keys.delete(msg.keyId);
      reply({ id: msg.id, held: keys.size });
      return;
    }
    case 'task':
      run(msg);
      return;
    case 'held':
      reply({ id: msg.id, held: keys.size });
  }
});
