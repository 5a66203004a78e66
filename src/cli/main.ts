#!/usr/bin/env node
/**
 * The `blindjoin` executable: runs the CLI on the process's arguments; SIGINT
 * and SIGTERM stop a running `serve` or `match` cleanly.
 * @module
 */
// The command's sessions and prepares blind on Node's worker threads.
import '../pool/install.js';
import { processIo } from './io.js';
import { run } from './program.js';

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // The first signal stops the work cleanly; a second one does not wait for that.
  process.on(signal, () => (stop.signal.aborted ? process.exit(130) : stop.abort()));
}
const code = await run(process.argv, processIo(), stop.signal);
// On failure, exit now: a stuck system call (a hung network file system) must not keep a failed command alive.
if (code !== 0) process.exit(code);
