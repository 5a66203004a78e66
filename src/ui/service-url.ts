import { PsiError } from '../errors.js';

/**
 * Where the page finds its service. Served by `blindjoin serve --ui`, the
 * service is the page's own directory (`https://psi.example/psi/` serves both
 * the page and `v1/…`). Hosted anywhere else, a `config.json` beside
 * `index.html` names it: `{ "service": "https://psi.platform.example/psi" }`.
 * A file, rather than a query parameter, so that a link cannot point an
 * advertiser's page at someone else's service. Throws `SERVER_URL_INVALID`
 * for a config that is not such an object.
 *
 * @example
 * ```ts
 * const service = await serviceUrl(new URL(location.href), (url) => fetch(url, { cache: 'no-store' }));
 * ```
 */
export async function serviceUrl(page: URL, load: (url: URL) => Promise<Response>): Promise<string> {
  const here = new URL('.', page);
  const reply = await load(new URL('config.json', here));
  if (reply.status === 404) return here.href;
  let config: unknown;
  try {
    config = reply.ok ? await reply.json() : undefined;
  } catch {
    // reported below
  }
  const service = (config as { service?: unknown } | undefined)?.service;
  if (typeof service !== 'string') {
    throw new PsiError('SERVER_URL_INVALID', 'config.json beside the page must be {"service": "https://..."}');
  }
  return new URL(service, here).href;
}
