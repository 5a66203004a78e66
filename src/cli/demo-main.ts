/**
 * `npm run demo`: the same as `blindjoin demo`, run from source.
 * @module
 */
import { processIo } from './io.js';
import { run } from './program.js';

process.exitCode = await run([process.argv[0]!, 'blindjoin', 'demo', ...process.argv.slice(2)], processIo(), new AbortController().signal);
