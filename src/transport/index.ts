export { matchOverHttp, type MatchOverHttpOptions, type MatchOverHttpResult, type MatchProgress } from './client.js';
export { createPsiHandler, type PsiHandler, type PsiServiceOptions } from './handler.js';
export type { KeyRotation } from './key-rotation.js';
export { DailyQuota } from './quota.js';
export { matchedRowsCsv, writeSessionResult, type MatchedRow, type SessionResult, type SessionSummary } from './results.js';
export { startPsiServer, type PsiServer, type PsiServerOptions } from './server.js';
export { loadTokensFile, parseTokens, type TokenEntry, type TokenTable } from './tokens.js';
