import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PsiError, statusOf } from '../errors.js';

/**
 * Sends a refusal as JSON `{ code, message }` with the status of its code.
 *
 * @example
 * ```ts
 * sendError(res, new PsiError('SESSION_NOT_FOUND', 'no such session'));
 * ```
 */
export function sendError(res: ServerResponse, error: PsiError, headers: Record<string, string> = {}): void {
  sendJson(res, statusOf(error.code), { code: error.code, message: error.message }, headers);
}

/**
 * Sends a JSON body.
 *
 * @example
 * ```ts
 * sendJson(res, 200, { status: 'ok' });
 * ```
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * Reads a request body of at most `limit` bytes. Refuses a larger declared or
 * actual length with `BODY_TOO_LARGE` without buffering it.
 *
 * @example
 * ```ts
 * const body = await readBody(req, MAX_FRAME_BYTES);
 * ```
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new PsiError('BODY_TOO_LARGE', `request body exceeds ${limit} bytes`);
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let length = 0;
    const fail = (e: PsiError) => {
      req.off('data', onData);
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) fail(tooLarge());
      else parts.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (length <= limit) resolve(new Uint8Array(Buffer.concat(parts, length)));
    });
    req.once('error', (e) => fail(new PsiError('BODY_UNREADABLE', `request body: ${e.message}`, { cause: e })));
  });
}

/**
 * Starts `server` listening on `host:port` (0: any free port) and resolves the
 * port it got; a bind failure rejects with the listen error itself (the caller
 * names what failed to listen).
 *
 * @example
 * ```ts
 * const port = await listenOn(server, 0, '127.0.0.1');
 * ```
 */
export async function listenOn(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * The base URL of a server bound to `host:port`, brackets around an IPv6 address.
 *
 * @example
 * ```ts
 * httpUrl('::1', 8080); // 'http://[::1]:8080'
 * ```
 */
export function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
