import { formatInteger } from '../disclosure/display.js';
import { describeReleased } from '../disclosure/release.js';
import { isPsiErrorCode, PsiError } from '../errors.js';
import { checkAudienceName } from '../wire/audience.js';
import type { AudienceView } from '../wire/audience.js';
import { ServiceError } from '../transport/client.js';
import { nodePort } from '../transport/http-request.js';
import type { CliIo } from './io.js';

/**
 * Options of the `audiences` commands, as parsed from their flags.
 *
 * @example
 * ```ts
 * const opts: AudiencesOptions = { server: 'https://psi.platform.example', token, json: false, timeout: 30_000 };
 * ```
 */
export interface AudiencesOptions {
  server: string;
  token?: string | undefined;
  json: boolean;
  timeout: number;
}

/**
 * One call of the advertiser's audience API; a refusal becomes a
 * `ServiceError` with the service's code (e.g. `AUDIENCE_NOT_FOUND`).
 */
async function call(opts: AudiencesOptions, method: string, path: string): Promise<unknown> {
  let base: URL;
  try {
    base = new URL(opts.server.endsWith('/') ? opts.server : `${opts.server}/`);
  } catch (e) {
    throw new PsiError('SERVER_URL_INVALID', `not a URL: ${JSON.stringify(opts.server)}`, { cause: e });
  }
  const port = nodePort();
  try {
    const headers: Record<string, string> = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
    let answer;
    try {
      answer = await port.request(method, new URL(path, base), { headers, timeoutMs: opts.timeout });
    } catch (e) {
      throw new PsiError('SERVICE_UNREACHABLE', `cannot reach the service at ${base.origin}: ${(e as Error).message}`, { cause: e });
    }
    const text = new TextDecoder().decode(answer.body);
    if (answer.status >= 200 && answer.status <= 299) return text === '' ? undefined : (JSON.parse(text) as unknown);
    let refusal: { code?: unknown; message?: unknown } = {};
    try {
      refusal = JSON.parse(text) as typeof refusal;
    } catch {
      // not JSON: reported by status
    }
    const code = isPsiErrorCode(refusal.code) ? refusal.code : 'SERVICE_REFUSED';
    const message = typeof refusal.message === 'string' ? refusal.message : `HTTP ${answer.status}`;
    throw new ServiceError(code, `the service refused (HTTP ${answer.status}): ${message}`, answer.status);
  } finally {
    port.close();
  }
}

const path = (name: string) => `v1/audiences/${encodeURIComponent(checkAudienceName(name))}`;

function line(a: AudienceView): string {
  const size = a.users === null ? 'size withheld' : `about ${formatInteger(a.users)} users`;
  const released = a.released === null ? 'no figure released' : `last released ${describeReleased(a.released)}`;
  return `${a.name}: ${size} (${released}); ${a.usable ? 'usable' : 'not usable yet'}; updated ${a.updatedAt}`;
}

/**
 * `blindjoin audiences list`: the token's audiences.
 *
 * @example
 * ```ts
 * await audiencesList({ server, token, json: true, timeout: 30_000 }, io);
 * ```
 */
export async function audiencesList(opts: AudiencesOptions, io: CliIo): Promise<AudienceView[]> {
  const { audiences } = (await call(opts, 'GET', 'v1/audiences')) as { audiences: AudienceView[] };
  if (opts.json) io.out(`${JSON.stringify({ audiences })}\n`);
  else io.out(audiences.length === 0 ? 'no audiences\n' : `${audiences.map(line).join('\n')}\n`);
  return audiences;
}

/**
 * `blindjoin audiences show NAME`: one audience with its history.
 *
 * @example
 * ```ts
 * await audiencesShow('Spring buyers', { server, token, json: false, timeout: 30_000 }, io);
 * ```
 */
export async function audiencesShow(name: string, opts: AudiencesOptions, io: CliIo): Promise<AudienceView> {
  const audience = (await call(opts, 'GET', path(name))) as AudienceView;
  if (opts.json) {
    io.out(`${JSON.stringify(audience)}\n`);
    return audience;
  }
  const history = (audience.history ?? []).map(
    (h) =>
      `  ${h.at} ${h.change}${h.sent === undefined ? '' : `, ${formatInteger(h.sent)} rows sent`}` +
      `${h.released === undefined || h.released === null ? '' : `, released ${describeReleased(h.released)}`}` +
      `${h.users === undefined ? '' : `, ${formatInteger(h.users)} users`}`,
  );
  io.out(`${line(audience)}\ncreated ${audience.createdAt}\n${history.join('\n')}\n`);
  return audience;
}

/**
 * `blindjoin audiences delete NAME`.
 *
 * @example
 * ```ts
 * await audiencesDelete('Spring buyers', { server, token, json: false, timeout: 30_000 }, io);
 * ```
 */
export async function audiencesDelete(name: string, opts: AudiencesOptions, io: CliIo): Promise<void> {
  await call(opts, 'DELETE', path(name));
  io.out(opts.json ? `${JSON.stringify({ deleted: name })}\n` : `deleted ${name}\n`);
}
