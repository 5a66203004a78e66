export { matchOverHttp, type MatchOverHttpOptions, type MatchOverHttpResult, type MatchProgress } from './client.js';
export { createPsiHandler, type PsiHandler, type PsiServiceOptions } from './handler.js';
export { startPsiServer, type PsiServer, type PsiServerOptions } from './server.js';
