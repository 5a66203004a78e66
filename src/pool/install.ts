/**
 * Imported for its effect: every blinder of the process created afterwards
 * without threads of its own spreads its work over Node's worker threads
 * ({@link workerThreads}), the parties of sessions included. The service and
 * the Node client (`matchOverHttp`, `blindjoin/client`) import it, and so do the
 * package root in Node (`src/node.ts`) and the CLI;
 * the browser root (`src/core.ts`) does not, and there blinders compute on the
 * calling thread.
 * @module
 */
import { installBlindingThreads } from '../group/threads.js';
import { workerThreads } from './threads.js';

installBlindingThreads(workerThreads);
