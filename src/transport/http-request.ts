import { Agent as HttpAgent, request as httpRequestRaw, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequestRaw } from 'node:https';
import type { HttpPort } from './http-port.js';

/**
 * A complete HTTP response.
 *
 * @example
 * ```ts
 * const { status, body } = await send(agent, new URL('http://127.0.0.1:8080/healthz'), { method: 'GET', timeoutMs: 5000 });
 * ```
 */
export interface HttpReply {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

/**
 * One request's options.
 *
 * @example
 * ```ts
 * const init: HttpInit = { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body, timeoutMs: 60_000 };
 * ```
 */
export interface HttpInit {
  method: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Whole request, connection to last byte. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Largest response body read; a larger one is a broken or hostile service. */
const MAX_REPLY_BYTES = 256 << 20;

/**
 * Keep-alive connection pools for one client, plain and TLS; `destroy` them when done
 * so that no socket outlives the session.
 *
 * @example
 * ```ts
 * const agents = createAgents();
 * try { await send(agents, url, init); } finally { agents.destroy(); }
 * ```
 */
export interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
  destroy(): void;
}

/**
 * Creates the connection pools of one client.
 *
 * @example
 * ```ts
 * const agents = createAgents();
 * ```
 */
export function createAgents(): Agents {
  const http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 4 });
  return { http, https, destroy: () => (http.destroy(), https.destroy()) };
}

/**
 * Sends one request with `node:http(s)` and reads the whole response. Rejects
 * with a plain `Error` whose `code` names the network failure (`ECONNREFUSED`,
 * `ECONNRESET`, `ETIMEDOUT` for the overall timeout, `ABORT_ERR`).
 *
 * @example
 * ```ts
 * const reply = await send(agents, new URL('http://127.0.0.1:8080/v1/sessions'), { method: 'POST', body, timeoutMs: 60_000 });
 * ```
 */
export function send(agents: Agents, url: URL, init: HttpInit): Promise<HttpReply> {
  const tls = url.protocol === 'https:';
  const headers: Record<string, string | number> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = init.body.length;
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequestRaw : httpRequestRaw)(url, {
      method: init.method,
      headers,
      agent: tls ? agents.https : agents.http,
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no complete answer within ${init.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, init.timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(e);
    };
    req.once('error', fail);
    req.once('response', (res) => {
      const parts: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > MAX_REPLY_BYTES) req.destroy(Object.assign(new Error('answer too large'), { code: 'ERESPONSETOOLARGE' }));
        else parts.push(chunk);
      });
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        if (!res.complete) {
          reject(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }));
          return;
        }
        const body = Buffer.concat(parts, length);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
        });
      });
    });
    req.end(init.body === undefined ? undefined : Buffer.from(init.body.buffer, init.body.byteOffset, init.body.byteLength));
  });
}

/**
 * An {@link HttpPort} over `node:http(s)` with keep-alive connection pools of its own.
 *
 * @example
 * ```ts
 * const port = nodePort();
 * try { await matchWith(port, opts); } finally { port.close(); }
 * ```
 */
export function nodePort(): HttpPort {
  const agents = createAgents();
  return {
    async request(method, url, init) {
      const reply = await send(agents, url, { method, ...init });
      return {
        status: reply.status,
        statusText: reply.statusText,
        header: (name) => {
          const value = reply.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        body: reply.body,
      };
    },
    close: () => agents.destroy(),
  };
}
