import { PsiError } from '../errors.js';
import type { Party } from './types.js';

/**
 * Runs a whole session between two parties in this process, delivering each
 * message to the other side in order. Rejects with the first party's error and
 * closes both parties (zeroising their keys) on failure.
 *
 * @example
 * ```ts
 * await runLocal(createParty({ role: 'initiator', ... }), createParty({ role: 'responder', ... }));
 * ```
 */
export async function runLocal(initiator: Party, responder: Party): Promise<void> {
  try {
    const toResponder = await initiator.step();
    const toInitiator: Uint8Array[] = [];
    while (toResponder.length > 0 || toInitiator.length > 0) {
      const r = toResponder.shift();
      if (r !== undefined) toInitiator.push(...(await responder.step(r)));
      const i = toInitiator.shift();
      if (i !== undefined) toResponder.push(...(await initiator.step(i)));
    }
    if (!initiator.done || !responder.done) {
      throw new PsiError('SESSION_INCOMPLETE', 'the parties stopped talking before both completed');
    }
  } catch (e) {
    await Promise.all([initiator.close(), responder.close()]);
    throw e;
  }
}
