import type { AudienceMode, AudienceView } from '../wire/audience.js';
import type { TermsBudget } from '../wire/terms.js';
import type { MatchAudience, MatchOverHttpResult } from './match-types.js';
import type { Request } from './retrying-request.js';

/**
 * What a completed session reads back from the service: the token's budget
 * from the terms and, with an audience, the audience.
 * @module
 */

/**
 * Reads back the token's budget and, with `audience`, the audience. Best
 * effort: the session's result stands whether or not these answer.
 *
 * @example
 * ```ts
 * const { budget, audience } = await readBack(request, { name: 'Spring buyers', mode: 'replace' });
 * ```
 */
export async function readBack(
  request: Request,
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
  const budget = (await json('v1/terms'))?.budget as TermsBudget | undefined;
  let shown: MatchAudience | undefined;
  if (audience !== undefined) {
    const view = (await json(`v1/audiences/${encodeURIComponent(audience.name)}`)) ?? {};
    const { history: _history, name: _name, ...rest } = view;
    shown = { ...(rest as Partial<AudienceView>), name: audience.name, mode: audience.mode };
  }
  return { ...(budget === undefined ? {} : { budget }), ...(shown === undefined ? {} : { audience: shown }) };
}
