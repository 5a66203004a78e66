/**
 * `blindjoin/store`, Node only: the platform's users blinded once per key
 * epoch into a store on disk (`blindjoin prepare`), kept up to date by
 * updates, and opened to serve sessions from.
 * @module
 */
export { DEFAULT_SEGMENT_ITEMS, prepareStore, type PrepareOptions, type StoreInput, type StoreRows } from './store/writer.js';
export type { StreamedRow } from './store/partition.js';
export type { InputRow } from './store/row-map.js';
export { openStore, type OpenedStore, type OpenStoreOptions } from './store/reader.js';
export { updateStore, type UpdateOptions, type UpdateResult } from './store/update.js';
export { openStoreSets, type StoreSets } from './service/store-sets.js';
