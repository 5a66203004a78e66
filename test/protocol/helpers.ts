import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { createParty, type Party, type PartyOptions, type Reveal } from '../../src/node.js';

export const REVEALS: readonly Reveal[] = ['intersection', 'size', 'none'];

/** Every (initiator learns, responder learns) pair. */
export const COMBINATIONS = REVEALS.flatMap((i) => REVEALS.map((r) => [i, r] as const));

/** One frame as it crossed the wire. */
export interface Sent {
  to: 'initiator' | 'responder';
  frame: Uint8Array;
}

/**
 * Delivers frames one at a time, alternating directions like runLocal, and
 * records the transcript. `tamper` may replace a frame before delivery.
 */
export async function pump(initiator: Party, responder: Party, tamper?: (sent: Sent, index: number) => Uint8Array): Promise<Sent[]> {
  const transcript: Sent[] = [];
  const queue: Sent[] = (await initiator.step()).map((frame) => ({ to: 'responder', frame }));
  while (queue.length > 0) {
    const sent = queue.shift()!;
    const index = transcript.length;
    transcript.push(sent);
    const frame = tamper ? tamper(sent, index) : sent.frame;
    const party = sent.to === 'responder' ? responder : initiator;
    const back: Sent['to'] = sent.to === 'responder' ? 'initiator' : 'responder';
    const out = await party.step(frame);
    queue.push(...out.map((f) => ({ to: back, frame: f })));
  }
  return transcript;
}

/** A pair of parties that agree on their modes. */
export function pair(
  initiatorItems: readonly (string | Uint8Array)[],
  responderItems: readonly (string | Uint8Array)[],
  learnI: Reveal,
  learnR: Reveal,
  extra: Partial<PartyOptions> = {},
): [Party, Party] {
  const common = { backend: 'noble', workers: 1, ...extra } as const;
  return [
    createParty({ ...common, role: 'initiator', items: initiatorItems, learn: learnI, peerLearns: learnR } as PartyOptions),
    createParty({ ...common, role: 'responder', items: responderItems, learn: learnR, peerLearns: learnI } as PartyOptions),
  ];
}

export { codeOf } from '../codes.js';

const utf8 = new TextEncoder();
const key = (item: string | Uint8Array) => Array.from(typeof item === 'string' ? utf8.encode(item) : item).join(',');

/** Naive reference: indices of `mine` whose bytes occur in `theirs`, and the distinct counts. */
export function naive(mine: readonly (string | Uint8Array)[], theirs: readonly (string | Uint8Array)[]) {
  const theirSet = new Set(theirs.map(key));
  const matches = mine.flatMap((item, i) => (theirSet.has(key(item)) ? [i] : []));
  const distinctMatched = new Set(matches.map((i) => key(mine[i]!)));
  return { matches, size: distinctMatched.size, distinct: new Set(mine.map(key)).size };
}

/** A reproducible byte stream, SHA-256(seed || counter) blocks, for the parties' randomness seam. Never for real keys. */
export function seeded(seed: string): (length: number) => Uint8Array {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (length) => {
    while (pool.length < length) {
      const block = new Uint8Array(4);
      new DataView(block.buffer).setUint32(0, counter++);
      pool = concatBytes(pool, sha256(concatBytes(new TextEncoder().encode(seed), block)));
    }
    const out = pool.slice(0, length);
    pool = pool.slice(length);
    return out;
  };
}
