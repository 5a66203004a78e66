import type { PsiParty } from '../../src/protocol/party.js';
import type { Exchange, SessionService } from '../../src/service/engine.js';
import type { TokenEntry } from '../../src/service/tokens.js';
import { decodeFrame } from '../../src/wire/frame.js';

/** Runs a whole session of `client` against `service`, as the HTTP client does: to the end, then its status (its result written). */
export async function drive(service: SessionService, token: TokenEntry, client: PsiParty): Promise<void> {
  const [hello] = await client.step();
  let reply: Exchange = await service.open(token, decodeFrame(hello!), hello!);
  let received = 0;
  const outbox: Uint8Array[] = [];
  for (;;) {
    for (const frame of reply.frames) {
      outbox.push(...(await client.step(frame)));
      received++;
    }
    if (reply.pending > 0) {
      reply = await service.pull(token, reply.sessionId, received);
      continue;
    }
    const next = outbox.shift();
    if (next === undefined) {
      await service.status(token, reply.sessionId);
      return;
    }
    reply = await service.deliver(token, reply.sessionId, decodeFrame(next), next, received);
  }
}
