import { isPsiErrorCode, statusOf } from '../errors.js';
import type { AudienceMode, AudienceView } from '../wire/audience.js';
import type { TermsBudget } from '../wire/terms.js';
import type { MatchAudience, MatchOverHttpResult } from './match-types.js';
import type { Request } from './retrying-request.js';
import { ServiceError } from './service-errors.js';

/**
 * What a completed session reads back from the service: whether it kept the
 * session's result, the token's budget from the terms and, with an audience,
 * the audience.
 * @module
 */

/**
 * Reads back session `sessionId`'s status, the token's budget and, with
 * `audience`, the audience. The service writes a session's result and audience
 * after its last answer, and its status waits for them: a status `'failed'`
 * fails the session with the service's code (`RESULT_WRITE_FAILED`,
 * `AUDIENCE_WRITE_FAILED`, ...), as the last answer did before. The rest is
 * best effort: the session's result stands whether or not these answer.
 *
 * @example
 * ```ts
 * const { budget, audience } = await readBack(request, session.id, { name: 'Spring buyers', mode: 'replace' });
 * ```
 */
export async function readBack(
  request: Request,
  sessionId: string,
  audience: { name: string; mode: AudienceMode } | undefined,
): Promise<Pick<MatchOverHttpResult, 'budget' | 'audience'>> {
  const json = async (path: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode((await request('GET', path)).body));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const status = await json(`v1/sessions/${sessionId}`);
  if (status?.state === 'failed') {
    const error = (status.error ?? {}) as { code?: unknown; message?: unknown };
    const code = isPsiErrorCode(error.code) ? error.code : 'SERVICE_REFUSED';
    const message = typeof error.message === 'string' ? error.message : code;
    throw new ServiceError(code, `the service completed session ${sessionId} but did not keep its result: ${message}`, statusOf(code));
  }
  const budget = (await json('v1/terms'))?.budget as TermsBudget | undefined;
  let shown: MatchAudience | undefined;
  if (audience !== undefined) {
    const view = (await json(`v1/audiences/${encodeURIComponent(audience.name)}`)) ?? {};
    const { history: _history, name: _name, ...rest } = view;
    shown = { ...(rest as Partial<AudienceView>), name: audience.name, mode: audience.mode };
  }
  return { ...(budget === undefined ? {} : { budget }), ...(shown === undefined ? {} : { audience: shown }) };
}
