export { SessionService, type Exchange, type SessionServiceOptions, type SessionStatus } from './engine.js';
export type { KeyRotation } from './key-rotation.js';
export { matchedRowsCsv, type MatchedRow, type SessionResult, type SessionSummary } from './result.js';
export { prepareOutDir, writeSessionResult } from './result-files.js';
export { loadTokensFile, parseTokens, type TokenEntry, type TokenTable } from './tokens.js';
