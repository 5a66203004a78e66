export {
  ConnectionError,
  matchWith,
  ServiceError,
  type MatchOverHttpOptions,
  type MatchOverHttpResult,
  type MatchProgress,
} from './client.js';
export { createPsiHandler, type PsiHandler, type PsiHandlerOptions } from './handler.js';
export { fetchPort, type HttpAnswer, type HttpPort } from './http-port.js';
export { matchOverHttp } from './match-over-http.js';
export {
  servePlatform,
  startPsiServer,
  type PsiListenOptions,
  type PsiServer,
  type PsiServerOptions,
  type PsiServiceOptions,
} from './server.js';
