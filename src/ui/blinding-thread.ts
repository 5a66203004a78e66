import { PsiError } from '../errors.js';
import type { FromWorker, ToWorker, WorkerSetup } from '../group/thread-messages.js';
import { blindingThreadHandler, loadThreadBackend } from '../group/thread-serve.js';

/**
 * What a blinding Web Worker tells its pool: the pool protocol's replies, or,
 * once, that its backend would not load (a Web Worker has no exit code to say it).
 *
 * @example
 * ```ts
 * const msg: FromBlindingThread = { failed: { code: 'BACKEND_UNAVAILABLE', message: 'libsodium could not be imported' } };
 * ```
 */
export type FromBlindingThread = FromWorker | { failed: { code: string; message: string } };

/**
 * The part of a Web Worker's global scope a blinding thread uses.
 *
 * @example
 * ```ts
 * serveBlindingThread(self satisfies ThreadScope);
 * ```
 */
export interface ThreadScope {
  postMessage(message: FromBlindingThread, options: { transfer: Transferable[] }): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/**
 * Runs a blinding thread on `scope`: its first message is the {@link WorkerSetup}
 * (the backend to load), every later one the pool protocol, answered by the same
 * handler as Node's threads. Messages that arrive while the backend loads wait
 * for it, in order; a backend that does not load is reported once as `failed`.
 *
 * @example
 * ```ts
 * serveBlindingThread(self); // src/ui/blinding-worker.ts
 * ```
 */
export function serveBlindingThread(scope: ThreadScope): void {
  let handler: Promise<(msg: ToWorker) => void> | undefined;
  scope.addEventListener('message', (event) => {
    if (handler === undefined) {
      handler = loadThreadBackend(event.data as WorkerSetup).then((backend) =>
        blindingThreadHandler(backend, (msg, transfer) => scope.postMessage(msg, { transfer })),
      );
      void handler.catch((e: unknown) => {
        const code = e instanceof PsiError ? e.code : 'BACKEND_UNAVAILABLE';
        scope.postMessage({ failed: { code, message: e instanceof Error ? e.message : String(e) } }, { transfer: [] });
      });
      return;
    }
    void handler.then(
      (handle) => handle(event.data as ToWorker),
      () => undefined,
    );
  });
}
