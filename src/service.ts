/**
 * `blindjoin/service`, Node only: the platform's session service (one object
 * answering every advertiser's frames, with tokens, quotas, privacy budgets and
 * audiences), its HTTP handler and server.
 * @module
 */
export * from './service/index.js';
export { createPsiHandler, type PsiHandler, type PsiHandlerOptions } from './transport/handler.js';
export {
  servePlatform,
  startPsiServer,
  type PsiListenOptions,
  type PsiServer,
  type PsiServerOptions,
  type PsiServiceOptions,
} from './transport/server.js';
