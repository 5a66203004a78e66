import { isPsiErrorCode, type PsiErrorCode } from '../errors.js';
import type { HttpAnswer, HttpPort } from './http-port.js';
import { FRAMES_MEDIA_TYPE, PENDING_HEADER } from './protocol-http.js';
import { ConnectionError, ServiceError } from './service-errors.js';

/**
 * The client's one request to a service, retried after a network error, a
 * timeout or a 5xx with doubling delays, every failure turned into a
 * {@link ServiceError} or a {@link ConnectionError}.
 * @module
 */

const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Where and how the requests of one session go.
 *
 * @example
 * ```ts
 * const config: RequestConfig = { port: fetchPort(), base: new URL('https://psi.example/'), headers: {}, timeoutMs: 300_000, retries: 4, retryDelayMs: 250 };
 * ```
 */
export interface RequestConfig {
  port: HttpPort;
  /** The service's base URL, ending in `/`; request paths are relative to it. */
  base: URL;
  /** Headers of every request (the bearer token). */
  headers: Record<string, string>;
  timeoutMs: number;
  /** Retries after a network error, a timeout or a 5xx. */
  retries: number;
  /** First retry delay, doubled each retry up to 10 s. */
  retryDelayMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * How far the session is, as the request layer needs it to name a failure:
 * once `established`, a lost answer is `SESSION_LOST` of session `id`.
 *
 * @example
 * ```ts
 * const session: SessionState = { id: '', established: false };
 * ```
 */
export interface SessionState {
  id: string;
  established: boolean;
}

/**
 * A 2xx answer: its body and how many of the service's frames wait beyond it.
 *
 * @example
 * ```ts
 * const { body, pending } = await request('GET', 'v1/terms');
 * ```
 */
export interface Reply {
  body: Uint8Array;
  pending: number;
}

/**
 * Sends one request (a body goes as frames, with `headers` added) and resolves with its 2xx reply.
 *
 * @example
 * ```ts
 * const reply = await request('POST', 'v1/sessions', hello, { [AUDIENCE_HEADER]: 'spring' });
 * ```
 */
export type Request = (method: string, path: string, body?: Uint8Array, headers?: Record<string, string>) => Promise<Reply>;

/** The service's refusal of one request; retried when `status` is 5xx. */
function refusal(answer: HttpAnswer): ServiceError {
  let code: PsiErrorCode = 'SERVICE_REFUSED';
  let message = `HTTP ${answer.status} ${answer.statusText}`.trim();
  try {
    const json = JSON.parse(new TextDecoder().decode(answer.body)) as { code?: unknown; message?: unknown };
    if (isPsiErrorCode(json.code)) {
      code = json.code;
      message = typeof json.message === 'string' ? json.message : json.code;
    }
  } catch {
    // not JSON: reported by status
  }
  return new ServiceError(code, message, answer.status);
}

function networkMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The error of a request whose attempts all failed: `last` the service's last refusal, if the last attempt got one. */
function failure(url: URL, session: Readonly<SessionState>, last: ServiceError | undefined, lastNetwork: string): Error {
  // A replica that died took the session with it (SESSION_REPLICA_GONE): the caller starts a fresh one.
  if ((last?.status === 404 || last?.code === 'SESSION_REPLICA_GONE') && session.established) {
    return new ConnectionError('SESSION_LOST', `the service no longer knows session ${session.id}: ${last.message}`);
  }
  if (last !== undefined && last.status < 500) {
    return new ServiceError(last.code, `the service refused (HTTP ${last.status}): ${last.message}`, last.status);
  }
  if (session.established) {
    return new ConnectionError('SESSION_LOST', `lost the service at ${url.origin} mid-session: ${last?.message ?? lastNetwork}`);
  }
  if (last !== undefined) {
    return new ServiceError(last.code, `the service at ${url.origin} failed (HTTP ${last.status}): ${last.message}`, last.status);
  }
  return new ConnectionError('SERVICE_UNREACHABLE', `cannot reach the service at ${url.origin}: ${lastNetwork}`);
}

/**
 * The request function of one session: each call retries as {@link RequestConfig}
 * says, and every way it can fail becomes a `PsiError` subclass, named after
 * `session` as it stands when the call fails.
 *
 * @example
 * ```ts
 * const request = retryingRequest(config, session);
 * const terms = (await request('GET', 'v1/terms')).body;
 * ```
 */
export function retryingRequest(config: RequestConfig, session: Readonly<SessionState>): Request {
  const { port, signal } = config;
  return async (method, path, body, extra) => {
    const url = new URL(path, config.base);
    const headers = body === undefined ? config.headers : { ...config.headers, ...extra, 'content-type': FRAMES_MEDIA_TYPE };
    let last: ServiceError | undefined;
    let lastNetwork = 'no attempt made';
    for (let i = 0; i <= config.retries; i++) {
      if (i > 0) await sleep(Math.min(MAX_RETRY_DELAY_MS, config.retryDelayMs * 2 ** (i - 1)), signal);
      let answer: HttpAnswer;
      try {
        answer = await port.request(method, url, {
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: config.timeoutMs,
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (e) {
        if (signal?.aborted) throw new ConnectionError('ABORTED', 'the session was aborted', { cause: e });
        last = undefined;
        lastNetwork = networkMessage(e);
        continue;
      }
      if (answer.status >= 200 && answer.status <= 299) return { body: answer.body, pending: Number(answer.header(PENDING_HEADER)) || 0 };
      last = refusal(answer);
      // A token's or the service's sessions all busy: refused before anything was charged, so the same frame may come again.
      if (answer.status < 500 && !(answer.status === 429 && last.code === 'TOKEN_BUSY')) break;
    }
    throw failure(url, session, last, lastNetwork);
  };
}
