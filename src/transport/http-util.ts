import type { IncomingMessage, ServerResponse } from 'node:http';
import { PsiError } from '../errors.js';

/** Media type of every frame body, both ways. */
export const FRAMES_MEDIA_TYPE = 'application/octet-stream';
/** Response header: the session id, hex. */
export const SESSION_HEADER = 'blindjoin-session';
/** Response header: how many of the service's frames wait beyond this response. */
export const PENDING_HEADER = 'blindjoin-pending';

/** HTTP status of each refusal code; any other code of a bad request is a 400. */
const STATUS: Record<string, number> = {
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  SESSION_EXISTS: 409,
  MODE_MISMATCH: 409,
  BODY_TOO_LARGE: 413,
  FRAME_TOO_LARGE: 413,
  PEER_TOO_LARGE: 413,
  TOO_MANY_ITEMS: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUOTA_EXCEEDED: 429,
  INTERNAL: 500,
  RESULT_WRITE_FAILED: 500,
  SERVICE_BUSY: 503,
  SERVICE_CLOSING: 503,
};

/**
 * The HTTP status that carries a refusal code.
 *
 * @example
 * ```ts
 * statusOf('QUOTA_EXCEEDED'); // 429
 * statusOf('FRAME_MAGIC');    // 400
 * ```
 */
export function statusOf(code: string): number {
  return STATUS[code] ?? 400;
}

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
