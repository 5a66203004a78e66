import { PsiError } from '../errors.js';
import { parseReveal } from '../wire/reveal.js';
import type { ServiceTerms } from '../wire/terms.js';
import type { Request } from './retrying-request.js';

/**
 * The service's published terms (`GET /v1/terms`) as the client takes them:
 * parsed, and checked for what this client relies on.
 * @module
 */

/**
 * Parses the service's published terms, refusing what this client cannot use
 * (`SERVICE_REFUSED`); a `keyTypes` that is not a list of names is ignored.
 *
 * @example
 * ```ts
 * const { learn, peerLearns } = parseTerms(new TextEncoder().encode(json));
 * ```
 */
export function parseTerms(body: Uint8Array): ServiceTerms {
  let json: Partial<ServiceTerms>;
  try {
    json = JSON.parse(new TextDecoder().decode(body)) as Partial<ServiceTerms>;
  } catch (e) {
    throw new PsiError('SERVICE_REFUSED', 'the service published terms that are not JSON', { cause: e });
  }
  if (typeof json !== 'object' || json === null) throw new PsiError('SERVICE_REFUSED', 'the service published no terms');
  const { keyTypes, ...rest } = json;
  return {
    ...rest,
    // Only a list of names narrows what is sent; anything else is ignored rather than trusted.
    ...(Array.isArray(keyTypes) && keyTypes.every((t) => typeof t === 'string') ? { keyTypes } : {}),
    learn: parseReveal(json.learn, 'the service terms (learn)'),
    peerLearns: parseReveal(json.peerLearns, 'the service terms (peerLearns)'),
  } as ServiceTerms;
}

/**
 * Fetches and parses the service's terms.
 *
 * @example
 * ```ts
 * const terms = await fetchTerms(retryingRequest(config, session));
 * ```
 */
export async function fetchTerms(request: Request): Promise<ServiceTerms> {
  return parseTerms((await request('GET', 'v1/terms')).body);
}
