/**
 * A blinding Web Worker of the page: started by the page's worker, one per
 * core it is granted (`blinding-threads.ts`), it holds the session's keys and
 * blinds the pieces it is sent (docs/ui.md).
 * @module
 */
import { serveBlindingThread } from './blinding-thread.js';

serveBlindingThread(self);
