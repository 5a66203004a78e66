export { SessionService, type Exchange, type SessionServiceOptions, type SessionStatus } from './engine.js';
export type { KeyRotation } from './key-rotation.js';
export type { ServiceObserver, ServiceView, SessionOutcome } from './observer.js';
export type { MatchedRow, SessionResult, SessionSummary } from './result.js';
export { loadTokensFile, parseTokens, type TokenEntry, type TokenTable } from './tokens.js';
