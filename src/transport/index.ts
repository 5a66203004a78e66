export {
  ConnectionError,
  matchWith,
  ServiceError,
  type MatchOverHttpOptions,
  type MatchOverHttpResult,
  type MatchProgress,
} from './client.js';
export { createPsiHandler, type PsiHandler, type PsiServiceOptions } from './handler.js';
export { fetchPort, type HttpAnswer, type HttpPort } from './http-port.js';
export { matchOverHttp } from './match-over-http.js';
export { startPsiServer, type PsiServer, type PsiServerOptions } from './server.js';
