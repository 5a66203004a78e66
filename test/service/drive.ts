import type { PsiParty } from '../../src/protocol/party.js';
import type { Exchange, SessionService } from '../../src/service/engine.js';
import type { TokenEntry } from '../../src/service/tokens.js';
import type { AudienceTarget } from '../../src/wire/audience.js';
import { decodeFrame } from '../../src/wire/frame.js';

/**
 * Runs a whole session of `client` against `service`, as the HTTP client does: to the end,
 * then its status (its result written), unless `status` is false. `onAnswer` hears each of
 * the service's answers. Resolves the session's id.
 */
export async function drive(
  service: SessionService,
  token: TokenEntry,
  client: PsiParty,
  opts: { audience?: AudienceTarget; onAnswer?: () => void; status?: boolean } = {},
): Promise<string> {
  const answered = (reply: Exchange) => {
    opts.onAnswer?.();
    return reply;
  };
  const [hello] = await client.step();
  let reply = answered(await service.open(token, decodeFrame(hello!), hello!, undefined, opts.audience));
  let received = 0;
  const outbox: Uint8Array[] = [];
  for (;;) {
    for (const frame of reply.frames) {
      outbox.push(...(await client.step(frame)));
      received++;
    }
    if (reply.pending > 0) {
      reply = answered(await service.pull(token, reply.sessionId, received));
      continue;
    }
    const next = outbox.shift();
    if (next === undefined) {
      if (opts.status !== false) await service.status(token, reply.sessionId);
      return reply.sessionId;
    }
    reply = answered(await service.deliver(token, reply.sessionId, decodeFrame(next), next, received));
  }
}
