import { exactFigure } from '../disclosure/exact.js';
import { CIPHERTEXT_BYTES } from '../homomorphic/constants.js';
import type { Figure } from '../wire/figure.js';
import { resolvePolicy, type DisclosurePolicy } from '../disclosure/policy.js';
import { rationalToNumber } from '../disclosure/epsilon.js';
import { PsiError } from '../errors.js';
import type { BackendChoice } from '../group/load.js';
import type { HomomorphicBackend } from '../homomorphic/backend.js';
import { loadHomomorphicBackend } from '../homomorphic/load.js';
import { PsiParty, type DeferredFrames } from '../protocol/party.js';
import type { Party, PartyOptions } from '../protocol/types.js';
import { concatParts, sameBytes } from '../bytes.js';
import { decodeFrame, type Frame } from '../wire/frame.js';
import { decodeHandshake } from '../wire/messages.js';
import { decodeCiphertexts, decodeMeasure, encodeAggregates, type MeasureRequest, type SumsParameters } from '../wire/measure.js';
import { matchedSums, releaseColumns, type PlatformColumns } from './platform-columns.js';
import { checkPublicKey, sumMatched } from './platform-sums.js';
import { LayerSequence } from './sequence.js';
import { drawSumNoise, sumNoiseBound } from './sum-noise.js';
import type { Aggregates, MeasuredResult } from './types.js';

/**
 * What the platform offers to measure, and how it pays for it.
 *
 * @example
 * ```ts
 * const measure: PlatformMeasure = { columns: { clicks: { values, bound: 100 } }, policy: {}, charge: (n) => budget.charge(id, n * 0.25) };
 * ```
 */
export interface PlatformMeasure {
  /** Own value columns the advertiser may ask for; default none (advertiser columns only). */
  columns?: PlatformColumns;
  /** The person an own item belongs to, so that a person counts once in a sum; default its distinct item. */
  personOf?: (item: number) => number | string;
  /** The disclosure policy of every figure; `undefined` releases exact sums (exact disclosure). */
  policy?: DisclosurePolicy;
  /**
   * Called with the number of figures a MEASURE request asks for, before any of
   * them is computed: charge the budget here (and throw to refuse the session).
   */
  charge?: (figures: number) => Promise<void>;
  /**
   * Accept the advertiser's encrypted columns (default false): their guarantee
   * holds only for a semi-honest advertiser, one that encrypts values within the
   * bound it declares (docs/measurement.md, threat model).
   */
  encryptedColumns?: boolean;
  /** Homomorphic backend for the encrypted sums; default `'auto'`. */
  backend?: BackendChoice | undefined;
}

/** A MEASURE request being served: its ciphertext streams as they arrive. */
interface Serving {
  request: MeasureRequest;
  chunks: Uint8Array[][];
  received: number[];
  he: HomomorphicBackend | undefined;
}

/**
 * The platform's side of a measured session: a PSI responder that also takes
 * the advertiser's MEASURE request and ciphertexts (all before the advertiser's
 * blinded set), and when the match completes sends one AGGREGATES frame: its
 * own columns summed over the matched people and released, and per advertiser
 * column the matched ciphertexts summed, noised under encryption and
 * re-randomised. It decrypts nothing. Without a MEASURE frame it is the plain
 * responder, frame for frame.
 *
 * @example
 * ```ts
 * const platform = new PlatformParty({ role: 'responder', items, learn: 'intersection', peerLearns: 'released' }, { columns });
 * ```
 */
export class PlatformParty implements Party {
  readonly #inner: PsiParty;
  readonly #seq = new LayerSequence();
  readonly #measure: PlatformMeasure;
  #peerItems = 0;
  #positions: Uint32Array | undefined;
  #serving: Serving | undefined;
  #sent: { platform: Record<string, Figure>; encrypted: string[] } | undefined;

  constructor(opts: PartyOptions, measure: PlatformMeasure = {}) {
    this.#inner = new PsiParty(opts, {
      // The second join is paid only by sessions that sum advertiser columns.
      onPeerMatches: (positions) => {
        if (this.#serving !== undefined && this.#serving.request.columns.length > 0) this.#positions = positions();
      },
    });
    this.#measure = measure;
    if (measure.policy !== undefined) resolvePolicy(measure.policy);
  }

  get done(): boolean {
    return this.#inner.done && (this.#serving === undefined || this.#sent !== undefined);
  }

  get sessionId(): Uint8Array | undefined {
    return this.#inner.sessionId;
  }

  /** See {@link PsiParty.releaseSeed}: the digest every figure's noise of this session is keyed on. */
  get releaseSeed(): Uint8Array | undefined {
    return this.#inner.releaseSeed;
  }

  get peerLearns() {
    return this.#inner.peerLearns;
  }

  /** See {@link PsiParty.deferOwnFrames}: a stored set's BLINDED frames are made as the client pulls them. */
  deferOwnFrames(): void {
    this.#inner.deferOwnFrames();
  }

  /** See {@link PsiParty.takeDeferred}; the deferred frames keep the wire numbers the party gave them. */
  takeDeferred(): DeferredFrames | undefined {
    const deferred = this.#inner.takeDeferred();
    if (deferred !== undefined) this.#seq.skip(deferred.count);
    return deferred;
  }

  step(incoming?: Uint8Array): Promise<Uint8Array[]> {
    if (incoming === undefined) throw new PsiError('MESSAGE_REQUIRED', 'step() needs the peer message');
    return this.stepFrame(decodeFrame(incoming));
  }

  async stepFrame(frame: Frame): Promise<Uint8Array[]> {
    if (frame.type === 'measure' || frame.type === 'ciphertexts') {
      this.#seq.check(frame);
      if (this.#inner.sessionId === undefined || !sameBytes(frame.sessionId, this.#inner.sessionId)) {
        throw new PsiError('SESSION_MISMATCH', 'frame belongs to another session');
      }
      if (frame.type === 'measure') await this.#onMeasure(frame.payload);
      else this.#onCiphertexts(frame.payload);
      // The noise of every figure commits to the request and to every ciphertext, as to the rest of what the client sent.
      this.#inner.recordPeerPayload(frame.type, frame.payload);
      this.#seq.consumed();
      return [];
    }
    if (this.#serving !== undefined && this.#awaited() > 0) {
      throw new PsiError('UNEXPECTED_FRAME', `expected ${this.#awaited()} more ciphertexts before the ${frame.type} frame`);
    }
    const out = await this.#inner.stepFrame(this.#seq.toInner(frame));
    this.#seq.passed();
    if (frame.type === 'hello') this.#peerItems = decodeHandshake(frame.payload).itemCount;
    this.#seq.outgoing(out);
    if (this.#inner.done && this.#serving !== undefined && this.#sent === undefined) out.push(await this.#aggregatesFrame());
    return out;
  }

  result(): MeasuredResult {
    if (!this.done) throw new PsiError('NOT_DONE', 'the session has not completed');
    const inner = this.#inner.result();
    if (this.#sent === undefined) return inner;
    const count = inner.released ?? exactFigure(inner.size!);
    const aggregates: Aggregates = { count, columns: this.#sent.platform };
    return { ...inner, aggregates, encryptedColumns: this.#sent.encrypted };
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Ciphertexts still owed by the advertiser. */
  #awaited(): number {
    const s = this.#serving!;
    return s.request.columns.length * this.#peerItems - s.received.reduce((a, b) => a + b, 0);
  }

  async #onMeasure(payload: Uint8Array): Promise<void> {
    if (this.#seq.received !== 1 || this.#serving !== undefined)
      throw new PsiError('UNEXPECTED_FRAME', 'a measure frame comes right after hello');
    const request = decodeMeasure(payload);
    const offered = this.#measure.columns ?? {};
    const unknown = request.platformColumns.find((c) => offered[c] === undefined);
    if (unknown !== undefined) throw new PsiError('COLUMN_UNKNOWN', `the service offers no value column ${unknown}`);
    if (request.columns.length > 0 && this.#measure.encryptedColumns !== true) {
      throw new PsiError('COLUMN_UNKNOWN', 'this service sums no advertiser columns (it does not accept encrypted values)');
    }
    const both = request.columns.find((c) => request.platformColumns.includes(c));
    if (both !== undefined) throw new PsiError('PAYLOAD_INVALID', `column ${both} is named on both sides`);
    if (request.publicKey !== undefined) checkPublicKey(request.publicKey);
    const he = request.columns.length === 0 ? undefined : await loadHomomorphicBackend(this.#measure.backend);
    const figures = request.platformColumns.length + request.columns.length;
    if (figures > 0) await this.#measure.charge?.(figures);
    this.#serving = { request, chunks: request.columns.map(() => []), received: request.columns.map(() => 0), he };
  }

  /** One chunk of the column now due, at the offset now due: columns in request order, each in the sending order. */
  #onCiphertexts(payload: Uint8Array): void {
    const s = this.#serving;
    if (s === undefined || this.#awaited() === 0) throw new PsiError('UNEXPECTED_FRAME', 'no ciphertexts are expected');
    const { column, offset, ciphertexts } = decodeCiphertexts(payload);
    const due = s.received.findIndex((r) => r < this.#peerItems);
    const count = ciphertexts.length / CIPHERTEXT_BYTES;
    if (column !== due) throw new PsiError('CHUNK_OFFSET', `ciphertexts of column ${column}, expected column ${due}`);
    if (offset !== s.received[due]) throw new PsiError('CHUNK_OFFSET', `chunk starts at ciphertext ${offset}, expected ${s.received[due]}`);
    if (count > this.#peerItems - offset)
      throw new PsiError('CHUNK_OVERFLOW', `chunk of ${count} ciphertexts exceeds the ${this.#peerItems - offset} still declared`);
    // Every ciphertext is checked as it arrives, matched or not: checking only the summed ones would tell which matched.
    try {
      s.he!.validate(ciphertexts);
    } catch (e) {
      throw new PsiError(
        'CIPHERTEXT_INVALID',
        'a ciphertext is not two canonical ristretto255 encodings, or its first part is the identity',
        {
          cause: e,
        },
      );
    }
    s.chunks[due]!.push(ciphertexts.slice());
    s.received[due] += count;
  }

  /** The AGGREGATES frame: own columns released, advertiser columns summed under encryption with noise. */
  async #aggregatesFrame(): Promise<Uint8Array> {
    const { request, chunks, he } = this.#serving!;
    const { policy, columns = {}, personOf } = this.#measure;
    const matches = this.#inner.result().matches;
    if (request.platformColumns.length > 0 && matches === undefined) {
      throw new PsiError('OPTIONS_INVALID', "platform columns need learn 'intersection' to know whose values to add");
    }
    const { groupOf } = this.#inner.sendingOrder!;
    const person = personOf ?? ((i: number) => groupOf[i]!);
    const exact = matchedSums(columns, request.platformColumns, matches ?? [], person);
    // Keyed like the count: the same client bytes against the same set get the same figures.
    const platform = releaseColumns(exact, columns, policy, (name) => this.#inner.noiseSource(`platform column ${name}`));
    let sums: SumsParameters | null = null;
    const encrypted: Uint8Array[] = [];
    if (request.columns.length > 0) {
      const resolved = policy === undefined ? undefined : resolvePolicy(policy);
      const epsilon = resolved === undefined ? undefined : { numerator: resolved.epsilon.num, denominator: resolved.epsilon.den };
      const noiseBound = epsilon === undefined ? 0n : sumNoiseBound(request.valueBound, epsilon);
      sums = {
        epsilon: resolved === undefined ? null : rationalToNumber(resolved.epsilon),
        significantDigits: resolved === undefined ? null : resolved.significantDigits,
        noiseBound,
      };
      for (const [k, column] of chunks.entries()) {
        const random = this.#inner.noiseSource(`encrypted column ${request.columns[k]!}`);
        const noise = epsilon === undefined ? 0n : drawSumNoise(request.valueBound, epsilon, random);
        encrypted.push(await sumMatched(he!, concatParts(column), this.#positions!, request.publicKey!, noise, noiseBound));
      }
    }
    const frame = this.#seq.frame(
      'aggregates',
      this.#inner.sessionId!,
      encodeAggregates({ platform, sums, ciphertexts: concatParts(encrypted) }),
    );
    this.#sent = { platform, encrypted: [...request.columns] };
    return frame;
  }
}
