/**
 * blindjoin: private audience matching with ECDH private set intersection.
 *
 * Layers, each in its own folder: identifiers -> group -> protocol -> join -> wire
 * -> transport -> cli. This entry re-exports the public API of each layer.
 * @module
 */
export { PsiError } from './errors.js';
export * from './group/index.js';
export * from './protocol/index.js';
export * from './wire/index.js';
export * from './identifiers/index.js';
export * from './transport/index.js';
export * from './join/index.js';
