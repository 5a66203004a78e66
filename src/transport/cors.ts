import type { IncomingMessage, ServerResponse } from 'node:http';
import { PsiError } from '../errors.js';
import { AUDIENCE_HEADER, AUDIENCE_MODE_HEADER, PENDING_HEADER, SESSION_HEADER } from './protocol-http.js';

/**
 * Origins allowed to call the service from a page hosted elsewhere, checked
 * by exact match against the `Origin` request header.
 *
 * @example
 * ```ts
 * const cors: CorsPolicy = corsPolicy(['https://ads.example']);
 * cors.allows('https://ads.example'); // true
 * ```
 */
export interface CorsPolicy {
  /** Whether `origin` (an `Origin` header's value) is on the allowlist. */
  allows(origin: string | undefined): boolean;
  /** The allowlist, normalised, for logs. */
  readonly origins: readonly string[];
}

/**
 * Checks an allowlist of origins: each entry must be a bare `http(s)` origin
 * (`https://ads.example`, `http://localhost:5173`), with no path, query or
 * trailing slash and no wildcard, since browsers send exactly that in `Origin`
 * and a near miss would silently refuse every request. Throws `OPTIONS_INVALID` otherwise.
 *
 * @example
 * ```ts
 * corsPolicy(['https://ads.example', 'http://localhost:5173']).allows('https://evil.example'); // false
 * ```
 */
export function corsPolicy(origins: readonly string[]): CorsPolicy {
  const list = origins.map((o) => {
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      // reported below
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== o) {
      throw new PsiError('OPTIONS_INVALID', `CORS origin ${JSON.stringify(o)} is not a bare origin such as https://ads.example`);
    }
    // The URL parser keeps `*` in a host name, so `https://*.example` would be accepted yet match no browser's Origin.
    if (url.hostname.includes('*')) {
      throw new PsiError('OPTIONS_INVALID', `CORS origin ${JSON.stringify(o)} has a wildcard; list each origin exactly`);
    }
    return o;
  });
  const set = new Set(list);
  return { allows: (origin) => origin !== undefined && set.has(origin), origins: Object.freeze([...set]) };
}

const ALLOWED_METHODS = 'GET, HEAD, POST, DELETE';
const ALLOWED_HEADERS = `authorization, content-type, ${AUDIENCE_HEADER}, ${AUDIENCE_MODE_HEADER}`;
const EXPOSED_HEADERS = `${SESSION_HEADER}, ${PENDING_HEADER}`;

/**
 * Applies the CORS policy to one request before it is routed. An allowed
 * origin gets `Access-Control-Allow-Origin` (and the session headers exposed)
 * on whatever answer follows; any other origin gets no CORS header, so the
 * browser withholds the answer from its page. A preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) is answered here with `204`, for every
 * origin alike, and `true` is returned: the request is done.
 *
 * @example
 * ```ts
 * if (applyCors(cors, req, res)) return; // a preflight, answered
 * ```
 */
export function applyCors(cors: CorsPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  // Caches must not hand one origin's answer to another.
  res.setHeader('vary', 'Origin');
  const allowed = cors.allows(origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin!);
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  }
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204, { 'content-length': 0 }).end();
  return true;
}
