import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { PsiError } from '../../src/errors.js';
import { AdvertiserParty } from '../../src/measurement/advertiser-party.js';
import { PsiParty } from '../../src/protocol/party.js';
import type { PartyOptions } from '../../src/protocol/types.js';
import { decodeFrame, decodeFrames, encodeFrame, type Frame } from '../../src/wire/frame.js';
import { decodeCiphertexts, encodeCiphertexts } from '../../src/wire/measure.js';
import { decodeChunk, encodeChunk } from '../../src/wire/messages.js';
import { frameHeaders, raw } from '../transport/helpers.js';

/**
 * What a malicious advertiser does to the frames an honest party would send.
 * Operations on returns (REBLINDED) name positions of the platform's stream as
 * fractions, so that the same strategy runs against sets of any size.
 */
export type Tamper =
  | { kind: 'honest' }
  /** Copies the return at p onto p + 1, for every p of the given parity: hits the target's position whatever it is. */
  | { kind: 'copyNext'; parity: 0 | 1 }
  | { kind: 'copy'; from: number; to: number }
  | { kind: 'swap'; i: number; j: number }
  | { kind: 'flip'; at: number; byte: number; bit: number }
  | { kind: 'drop'; count: number }
  | { kind: 'overflow' }
  | { kind: 'replay'; altered: boolean }
  | { kind: 'flipOwn'; at: number; byte: number; bit: number }
  | { kind: 'badCiphertexts'; every: boolean; at: number }
  | { kind: 'ciphertextOverflow' };

/** Strategies for fast-check; `measured` adds the ones on ciphertexts. */
export function tamperArb(measured: boolean): fc.Arbitrary<Tamper> {
  const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
  const options: fc.Arbitrary<Tamper>[] = [
    fc.constant({ kind: 'honest' as const }),
    fc.constantFrom<0 | 1>(0, 1).map((parity) => ({ kind: 'copyNext' as const, parity })),
    fc.record({ kind: fc.constant('copy' as const), from: frac, to: frac }),
    fc.record({ kind: fc.constant('swap' as const), i: frac, j: frac }),
    fc.record({ kind: fc.constant('flip' as const), at: frac, byte: fc.integer({ min: 0, max: 31 }), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('drop' as const), count: fc.integer({ min: 1, max: 3 }) }),
    fc.constant({ kind: 'overflow' as const }),
    fc.record({ kind: fc.constant('replay' as const), altered: fc.boolean() }),
    fc.record({
      kind: fc.constant('flipOwn' as const),
      at: frac,
      byte: fc.integer({ min: 0, max: 31 }),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
  ];
  if (measured) {
    options.push(
      fc.record({ kind: fc.constant('badCiphertexts' as const), every: fc.boolean(), at: frac }),
      fc.constant({ kind: 'ciphertextOverflow' as const }),
    );
  }
  return fc.oneof(...options);
}

/** One reply as the client sees it. */
export interface Exchange {
  request: string;
  status: number;
  code?: string;
  message?: string;
  pending?: string;
  /** The service's frames: type, number and, where `full`, the payload (BLINDED carries the platform's set: length only). */
  frames?: string[];
}

/** The client's whole view of a session: every reply, then how it ended on its side. */
export interface View {
  exchanges: Exchange[];
  end: string;
  released?: unknown;
}

const at = (fraction: number, n: number) => Math.min(n - 1, Math.floor(fraction * n));

function reblinded(frame: Frame, edit: (elements: Uint8Array) => Uint8Array): Uint8Array {
  const { offset, elements } = decodeChunk(frame.payload);
  return encodeFrame(frame.type, frame.sessionId, frame.seq, encodeChunk({ offset, elements: edit(elements.slice()) }));
}

function copyElement(elements: Uint8Array, from: number, to: number): void {
  elements.copyWithin(to * 32, from * 32, from * 32 + 32);
}

/** The frames actually sent for one honest frame: none, it, it altered, or it twice. */
function tampered(bytes: Uint8Array, t: Tamper): Uint8Array[] {
  const frame = decodeFrame(bytes);
  if (frame.type === 'reblinded') {
    const n = decodeChunk(frame.payload).elements.length / 32;
    switch (t.kind) {
      case 'copyNext':
        return [
          reblinded(frame, (e) => {
            for (let p = t.parity; p + 1 < n; p += 2) copyElement(e, p, p + 1);
            return e;
          }),
        ];
      case 'copy':
        return [reblinded(frame, (e) => (copyElement(e, at(t.from, n), at(t.to, n)), e))];
      case 'swap':
        return [
          reblinded(frame, (e) => {
            const i = at(t.i, n);
            const j = at(t.j, n);
            const saved = e.slice(i * 32, i * 32 + 32);
            copyElement(e, j, i);
            e.set(saved, j * 32);
            return e;
          }),
        ];
      case 'flip':
        return [reblinded(frame, (e) => ((e[at(t.at, n) * 32 + t.byte]! ^= 1 << t.bit), e))];
      case 'drop':
        return [reblinded(frame, (e) => e.slice(0, Math.max(32, e.length - 32 * t.count)))];
      case 'overflow':
        return [reblinded(frame, (e) => Uint8Array.from([...e, ...e.subarray(0, 32)]))];
      case 'replay':
        return [bytes, t.altered ? reblinded(frame, (e) => ((e[0]! ^= 1), e)) : bytes];
      default:
        return [bytes];
    }
  }
  if (frame.type === 'blinded' && t.kind === 'flipOwn') {
    return [reblinded(frame, (e) => ((e[at(t.at, e.length / 32) * 32 + t.byte]! ^= 1 << t.bit), e))];
  }
  if (frame.type === 'ciphertexts' && (t.kind === 'badCiphertexts' || t.kind === 'ciphertextOverflow')) {
    const chunk = decodeCiphertexts(frame.payload);
    const c = chunk.ciphertexts.slice();
    const n = c.length / 64;
    if (t.kind === 'ciphertextOverflow') {
      const longer = Uint8Array.from([...c, ...c.subarray(0, 64)]);
      return [encodeFrame(frame.type, frame.sessionId, frame.seq, encodeCiphertexts({ ...chunk, ciphertexts: longer }))];
    }
    // 0xff... is no canonical ristretto255 encoding.
    for (let k = 0; k < n; k++) if (t.every || k === at(t.at, n)) c.fill(0xff, k * 64, k * 64 + 32);
    return [encodeFrame(frame.type, frame.sessionId, frame.seq, encodeCiphertexts({ ...chunk, ciphertexts: c }))];
  }
  return [bytes];
}

function describe(frames: Frame[]): string[] {
  return frames.map((f) => {
    // The platform's blinded set and the released figures are not what the view compares.
    if (f.type === 'blinded') return `blinded#${f.seq}:${f.payload.length}`;
    if (f.type === 'release' || f.type === 'aggregates') return `${f.type}#${f.seq}`;
    return `${f.type}#${f.seq}:${bytesToHex(f.payload)}`;
  });
}

/**
 * Runs one session of a client that follows `options` but sends what `tamper`
 * makes of its frames, and records everything it sees. Never throws: a refusal
 * or a protocol error on the client's side is part of the view.
 */
export async function hostileSession(
  url: string,
  options: PartyOptions,
  tamper: Tamper,
  extra: { measure?: ConstructorParameters<typeof AdvertiserParty>[1]; headers?: Record<string, string>; token?: string } = {},
): Promise<View> {
  const party = extra.measure === undefined ? new PsiParty(options) : new AdvertiserParty(options, extra.measure);
  const exchanges: Exchange[] = [];
  const auth: Record<string, string> = extra.token === undefined ? {} : { authorization: `Bearer ${extra.token}` };
  let next = 0;
  let sessionId: string | undefined;
  const queue: Uint8Array[] = [];
  const feed = async (body: Buffer) => {
    for (const frame of decodeFrames(new Uint8Array(body))) {
      if (frame.seq < next) continue;
      queue.push(...(await party.stepFrame(frame)));
      next++;
    }
  };
  try {
    queue.push(...(await party.step()));
    sessionId = bytesToHex(party.sessionId!);
    for (let honest = queue.shift(); honest !== undefined; honest = queue.shift()) {
      for (const frame of tampered(honest, tamper)) {
        const first = exchanges.length === 0;
        const path = first ? '/v1/sessions' : `/v1/sessions/${sessionId}/frames?ack=${next}`;
        let reply = await raw(url, 'POST', path, {
          headers: { ...frameHeaders(extra.token), ...(first ? extra.headers : {}) },
          body: frame,
        });
        for (;;) {
          const exchange: Exchange = { request: first ? 'hello' : decodeFrame(frame).type, status: reply.status };
          if (reply.status >= 300) {
            const { code, message } = reply.json();
            // The session id is the client's own random choice: the same in the view whatever it was.
            exchanges.push({ ...exchange, code, message: message.replaceAll(sessionId, '<session>') });
            await raw(url, 'DELETE', `/v1/sessions/${sessionId}`, { headers: auth });
            return { exchanges, end: `refused ${code}` };
          }
          const frames = decodeFrames(new Uint8Array(reply.body));
          exchanges.push({ ...exchange, pending: String(reply.headers['blindjoin-pending']), frames: describe(frames) });
          await feed(reply.body);
          if (Number(reply.headers['blindjoin-pending'] ?? 0) === 0) break;
          reply = await raw(url, 'GET', `/v1/sessions/${sessionId}/frames?ack=${next}`, { headers: auth });
        }
      }
    }
    if (!party.done) {
      // An abandoned session would hold one of the token's slots until it idles out.
      await raw(url, 'DELETE', `/v1/sessions/${sessionId}`, { headers: auth });
      return { exchanges, end: 'incomplete' };
    }
    return { exchanges, end: 'done', released: party.result().released };
  } catch (e) {
    if (sessionId !== undefined) await raw(url, 'DELETE', `/v1/sessions/${sessionId}`, { headers: auth });
    return { exchanges, end: `client ${e instanceof PsiError ? e.code : String(e)}` };
  } finally {
    await party.close();
  }
}
