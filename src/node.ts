/**
 * The package root in Node: exactly the names of {@link module:core}, and on
 * import the worker-thread blinding pool, so that every blinder created
 * afterwards without threads of its own spreads its work over Node's worker
 * threads. What needs Node is on subpaths: `blindjoin/client`,
 * `blindjoin/files`, `blindjoin/store` and `blindjoin/service`.
 * @module
 */
import './pool/install.js';

export * from './core.js';
