/**
 * `blindjoin/client`, Node only: the advertiser's side of a session with a
 * blindjoin service over `node:http(s)`, and the advertiser's secret kept in a
 * key file between sessions (as `blindjoin match` keeps it). In browsers,
 * `matchWith(fetchPort(), ...)` from the root does the same.
 * @module
 */
export { matchOverHttp } from './transport/match-over-http.js';
export { advertiserSecret, configDir, defaultKeyFile } from './transport/advertiser-key.js';
export { blindedCacheFile, readBlindedCache, writeBlindedCache } from './transport/blinded-cache-file.js';
export { BlindedCache } from './protocol/blinded-cache.js';
