/**
 * The intersection hot loop: exact joins over packed fixed-width tokens.
 * @module
 */
export { countIntersectionPacked, intersectPacked } from './intersect.js';
export { findDuplicatePacked } from './duplicates.js';
export type { PackedOptions } from './tokens.js';
