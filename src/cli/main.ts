#!/usr/bin/env node
/**
 * The `blindjoin` executable: runs the CLI on the process's arguments; SIGINT
 * and SIGTERM stop a running `serve` cleanly.
 * @module
 */
import { processIo } from './io.js';
import { run } from './program.js';

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
process.exitCode = await run(process.argv, processIo(), stop.signal);
