import { isPsiErrorCode, PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import { createParty } from '../protocol/party.js';
import { parseReveal, type Reveal } from '../wire/reveal.js';
import type { PartyResult } from '../protocol/types.js';
import { parseFrameHeader, splitFrames } from '../wire/frame.js';
import { FRAMES_MEDIA_TYPE, PENDING_HEADER } from './http-util.js';
import { createAgents, send, type HttpReply } from './http-request.js';

/**
 * Options of {@link matchOverHttp}.
 *
 * @example
 * ```ts
 * const opts: MatchOverHttpOptions = { server: 'https://psi.platform.example', token, items: emails };
 * ```
 */
export interface MatchOverHttpOptions {
  /** Base URL of the service (any path prefix included), e.g. `https://psi.example.com`. */
  server: string;
  /** Bearer token issued by the platform. */
  token?: string;
  /** Own items (normalised identifiers). */
  items: readonly (string | Uint8Array)[];
  /** What this client learns; default `'size'`. Must match the service's terms. */
  learn?: Reveal;
  /** What the service learns; default `'intersection'`. Must match the service's terms. */
  peerLearns?: Reveal;
  /** Refuse a service declaring more distinct items than this. */
  maxPeerItems?: number;
  chunkItems?: number;
  backend?: BackendChoice;
  workers?: number;
  /** Timeout of one HTTP request, in ms; default 300,000 (a request may wait for the service's blinding). */
  timeoutMs?: number;
  /** Retries of one request after a network error, a timeout or a 5xx; default 4. */
  retries?: number;
  /** First retry delay in ms, doubled each retry up to 10 s; default 250. */
  retryDelayMs?: number;
  /** Aborts the session: the call rejects with `ABORTED`. */
  signal?: AbortSignal;
  /** Called before the first request and after each exchange with the service. */
  onProgress?: (progress: MatchProgress) => void;
}

/**
 * How far a session is: frames sent to the service, out of those known so far
 * (more become known as the service's frames arrive).
 *
 * @example
 * ```ts
 * onProgress: ({ framesSent, framesKnown }) => bar.update(framesSent, { total: framesKnown })
 * ```
 */
export interface MatchProgress {
  sessionId: string;
  framesSent: number;
  framesKnown: number;
  framesReceived: number;
}

/**
 * What the client learnt, and the session it learnt it in.
 *
 * @example
 * ```ts
 * const { sessionId, peerSize, size } = await matchOverHttp(opts);
 * ```
 */
export interface MatchOverHttpResult extends PartyResult {
  /** Hex session id, as in the service's result file names. */
  sessionId: string;
}

interface Reply {
  body: Uint8Array;
  pending: number;
}

interface RequestFailure {
  status?: number;
  code?: string;
  message: string;
}

const MAX_RETRY_DELAY_MS = 10_000;

function refusal(reply: HttpReply): RequestFailure {
  try {
    const json = JSON.parse(Buffer.from(reply.body).toString('utf8')) as { code?: unknown; message?: unknown };
    if (typeof json.code === 'string') {
      return { status: reply.status, code: json.code, message: typeof json.message === 'string' ? json.message : json.code };
    }
  } catch {
    // not JSON: reported by status below
  }
  return { status: reply.status, message: `HTTP ${reply.status} ${reply.statusText}`.trim() };
}

/**
 * Runs the initiator side of a PSI session against a blindjoin service over
 * HTTP. Frames go out in order; a frame whose answer is lost to a network error,
 * a timeout or a 5xx is sent again (the service answers a repeated frame from
 * its cache). Fails with a `PsiError` and reports nothing when the session
 * cannot complete: `SERVICE_UNREACHABLE` (service down), the service's own code
 * for a refusal (e.g. `UNAUTHORIZED`, `MODE_MISMATCH`, `QUOTA_EXCEEDED`; else
 * `SERVICE_REFUSED`), `SESSION_LOST` (the service died or dropped the session
 * mid-way).
 *
 * @example
 * ```ts
 * const { size, peerSize } = await matchOverHttp({
 *   server: 'http://127.0.0.1:8080', token: process.env.BLINDJOIN_TOKEN, items: ['ann@example.com'],
 * });
 * ```
 */
export async function matchOverHttp(opts: MatchOverHttpOptions): Promise<MatchOverHttpResult> {
  let base: URL;
  try {
    base = new URL(opts.server.endsWith('/') ? opts.server : `${opts.server}/`);
  } catch (e) {
    throw new PsiError('SERVER_URL_INVALID', `not a URL: ${JSON.stringify(opts.server)}`, { cause: e });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PsiError('SERVER_URL_INVALID', `the service URL must be http or https, got ${base.protocol}`);
  }
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const retries = opts.retries ?? 4;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const headers: Record<string, string> = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
  const party = createParty({
    role: 'initiator', items: opts.items,
    learn: parseReveal(opts.learn ?? 'size', 'learn'),
    peerLearns: parseReveal(opts.peerLearns ?? 'intersection', 'peerLearns'),
    maxPeerItems: opts.maxPeerItems, chunkItems: opts.chunkItems, backend: opts.backend, workers: opts.workers,
  });

  let sessionId: string | undefined;
  let established = false;

  const agents = createAgents();
  const attempt = async (method: string, path: string, body?: Uint8Array): Promise<Reply> => {
    const reply = await send(agents, new URL(path, base), {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': FRAMES_MEDIA_TYPE },
      ...(body === undefined ? {} : { body }),
      timeoutMs,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    if (reply.status < 200 || reply.status > 299) throw refusal(reply);
    return { body: reply.body, pending: Number(reply.headers[PENDING_HEADER]) || 0 };
  };

  /** One request with retries; maps every way it can fail to a PsiError. */
  const request = async (method: string, path: string, body?: Uint8Array): Promise<Reply> => {
    let last: RequestFailure = { message: 'no attempt made' };
    for (let i = 0; i <= retries; i++) {
      if (i > 0) await sleep(Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** (i - 1)), opts.signal);
      try {
        return await attempt(method, path, body);
      } catch (e) {
        if (opts.signal?.aborted) throw new PsiError('ABORTED', 'the session was aborted', { cause: e });
        if (e instanceof Error) {
          const code = (e as { code?: string }).code;
          last = { message: code === undefined || e.message.includes(code) ? e.message : `${e.message} (${code})` };
          continue;
        }
        last = e as RequestFailure;
        if (last.status! < 500) break;
      }
    }
    const where = new URL(path, base).origin;
    if (last.status === 404 && established) {
      throw new PsiError('SESSION_LOST', `the service no longer knows session ${sessionId}: ${last.message}`);
    }
    if (last.status !== undefined && last.status < 500) {
      throw new PsiError(isPsiErrorCode(last.code) ? last.code : 'SERVICE_REFUSED', `the service refused (HTTP ${last.status}): ${last.message}`);
    }
    if (established) throw new PsiError('SESSION_LOST', `lost the service at ${where} mid-session: ${last.message}`);
    if (last.status !== undefined) {
      throw new PsiError(isPsiErrorCode(last.code) ? last.code : 'SERVICE_REFUSED', `the service at ${where} failed (HTTP ${last.status}): ${last.message}`);
    }
    throw new PsiError('SERVICE_UNREACHABLE', `cannot reach the service at ${where}: ${last.message}`);
  };

  const queue: Uint8Array[] = [];
  let nextSeq = 0;
  let framesSent = 0;
  const progress = () =>
    opts.onProgress?.({ sessionId: sessionId!, framesSent, framesKnown: framesSent + queue.length, framesReceived: nextSeq });

  /** Feeds the service's frames to the party in order, fetching any that did not fit the reply. */
  const absorb = async (reply: Reply) => {
    for (let pulled = false; ; pulled = true) {
      const before = nextSeq;
      for (const frame of splitFrames(reply.body)) {
        if (parseFrameHeader(frame).seq < nextSeq) continue;
        queue.push(...(await party.step(frame)));
        nextSeq++;
      }
      progress();
      if (reply.pending <= 0) return;
      if (pulled && nextSeq === before) {
        throw new PsiError('SESSION_STALLED', `the service announces ${reply.pending} frames but sends none`);
      }
      reply = await request('GET', `v1/sessions/${sessionId}/frames?ack=${nextSeq}`);
    }
  };

  try {
    const [hello] = await party.step();
    sessionId = Buffer.from(party.sessionId!).toString('hex');
    queue.push(hello!);
    progress();
    for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) {
      const reply = await request('POST', established ? `v1/sessions/${sessionId}/frames?ack=${nextSeq}` : 'v1/sessions', frame);
      established = true;
      framesSent++;
      await absorb(reply);
    }
    if (!party.done) throw new PsiError('SESSION_INCOMPLETE', 'the service stopped answering before the session completed');
    return { sessionId, ...party.result() };
  } catch (e) {
    await party.close();
    if (established) {
      const abort = { method: 'DELETE', headers, timeoutMs: 2_000 };
      await send(agents, new URL(`v1/sessions/${sessionId}`, base), abort).catch(() => undefined);
    }
    throw e;
  } finally {
    agents.destroy();
  }
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
