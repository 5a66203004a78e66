/**
 * blindjoin's platform-neutral core: everything that runs in browsers as well as
 * Node (no `node:` imports). Bundlers resolve `blindjoin` to this entry under the
 * `browser` condition; Node gets {@link module:index} with CSV files and HTTP on top.
 *
 * Layers: identifiers -> group -> protocol -> join -> wire.
 * @module
 */
export { PsiError } from './errors.js';
export * from './identifiers/index.js';
export * from './group/index.js';
export * from './protocol/index.js';
export * from './join/index.js';
export * from './wire/index.js';
