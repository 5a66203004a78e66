import { exactFigure } from '../disclosure/exact.js';
import { CIPHERTEXT_BYTES } from '../homomorphic/constants.js';
import { sameBytes } from '../bytes.js';
import { PsiError } from '../errors.js';
import type { HomomorphicBackend } from '../homomorphic/backend.js';
import { encryptValues } from '../homomorphic/elgamal.js';
import { generateKeyPair, type ElGamalKeyPair } from '../homomorphic/keys.js';
import { loadHomomorphicBackend } from '../homomorphic/load.js';
import { PsiParty } from '../protocol/party.js';
import type { Party, PartyOptions } from '../protocol/types.js';
import { decodeFrame, type Frame } from '../wire/frame.js';
import {
  checkColumnNames,
  decodeAggregates,
  encodeCiphertexts,
  encodeMeasure,
  MAX_CIPHERTEXTS_PER_FRAME,
  MAX_VALUE_BOUND,
  type MeasureRequest,
} from '../wire/measure.js';
import { openSums } from './advertiser-sums.js';
import { LayerSequence } from './sequence.js';
import { yieldToEventLoop } from '../yield.js';
import type { AdvertiserMeasure, Aggregates, MeasuredResult } from './types.js';
import { checkValueBound, checkValueColumn, DEFAULT_VALUE_BOUND, valuesInSendingOrder } from './values.js';

/** Values encrypted between two yields to the event loop: about 0.3 s of libsodium work. */
const ENCRYPT_SLICE = 2048;

/**
 * The advertiser's side of a measured session: a PSI initiator that sends,
 * right after HELLO, a MEASURE request and, for its own value columns, one
 * ciphertext per position of its blinded stream (its sending order) under a
 * fresh ElGamal key only it holds; the session completes when the platform's
 * AGGREGATES frame has been decrypted. It learns no per-row match.
 *
 * @example
 * ```ts
 * const advertiser = new AdvertiserParty({ role: 'initiator', items, learn: 'released', peerLearns: 'intersection',
 *   keyFromItems: true }, { values: { amount: cents }, valueBound: 100_000 });
 * ```
 */
export class AdvertiserParty implements Party {
  readonly #inner: PsiParty;
  readonly #seq = new LayerSequence();
  readonly #platformColumns: readonly string[];
  readonly #columns: readonly [string, readonly number[]][];
  readonly #valueBound: bigint;
  readonly #backend: AdvertiserMeasure['backend'];
  #keys: ElGamalKeyPair | undefined;
  #he: HomomorphicBackend | undefined;
  #aggregates: Aggregates | undefined;
  #encrypting: Promise<Uint8Array[]> | undefined;
  #sentColumns = false;

  constructor(opts: PartyOptions, measure: AdvertiserMeasure) {
    this.#inner = new PsiParty(opts);
    if (opts.learn === 'none') throw new PsiError('OPTIONS_INVALID', 'measuring needs a count: learn must not be none');
    this.#platformColumns = checkColumnNames(measure.platformColumns ?? [], 'platformColumns');
    const values = measure.values ?? {};
    if (typeof values !== 'object' || values === null) throw new PsiError('OPTIONS_INVALID', 'values must be an object of columns');
    const names = checkColumnNames(Object.keys(values), 'values');
    const n = opts.items?.length ?? opts.rows?.length;
    if (names.length > 0 && n === undefined) throw new PsiError('OPTIONS_INVALID', 'values need items or rows, one value per item or row');
    this.#columns = names.map((name) => [name, checkValueColumn(values[name], name, n!)]);
    const overlap = names.find((c) => this.#platformColumns.includes(c));
    if (overlap !== undefined) throw new PsiError('OPTIONS_INVALID', `column ${overlap} is named on both sides`);
    this.#valueBound = names.length === 0 ? 0n : checkValueBound(measure.valueBound ?? DEFAULT_VALUE_BOUND, 'valueBound', MAX_VALUE_BOUND);
    this.#backend = measure.backend;
  }

  get done(): boolean {
    return this.#inner.done && this.#aggregates !== undefined;
  }

  get sessionId(): Uint8Array | undefined {
    return this.#inner.sessionId;
  }

  get peerLearns() {
    return this.#inner.peerLearns;
  }

  async step(incoming?: Uint8Array): Promise<Uint8Array[]> {
    if (incoming === undefined) return this.#start();
    return this.stepFrame(decodeFrame(incoming));
  }

  async stepFrame(frame: Frame): Promise<Uint8Array[]> {
    if (frame.type !== 'aggregates') {
      if (this.#columns.length > 0 && !this.#sentColumns) return this.#firstReply(frame);
      const out = await this.#inner.stepFrame(this.#seq.toInner(frame));
      this.#seq.passed();
      return this.#seq.outgoing(out);
    }
    this.#seq.check(frame);
    if (!this.#inner.done || this.#aggregates !== undefined)
      throw new PsiError('UNEXPECTED_FRAME', 'aggregates before the match completed');
    if (!sameBytes(frame.sessionId, this.#inner.sessionId!)) throw new PsiError('SESSION_MISMATCH', 'frame belongs to another session');
    this.#aggregates = this.#open(frame.payload);
    this.#seq.consumed();
    this.#keys?.secretKey.fill(0);
    return [];
  }

  result(): MeasuredResult {
    if (!this.done) throw new PsiError('NOT_DONE', 'the session has not completed');
    return { ...this.#inner.result(), aggregates: this.#aggregates! };
  }

  async close(): Promise<void> {
    this.#keys?.secretKey.fill(0);
    await this.#inner.close();
  }

  /**
   * HELLO; with own columns, also the key and backend, so that the ciphertexts can
   * be computed while the next step blinds (below). Without, MEASURE at once.
   */
  async #start(): Promise<Uint8Array[]> {
    const out = this.#seq.outgoing(await this.#inner.step());
    if (this.#columns.length === 0) return [...out, this.#seq.frame('measure', this.#inner.sessionId!, encodeMeasure(this.#request()))];
    this.#he = await loadHomomorphicBackend(this.#backend);
    this.#keys = generateKeyPair();
    return out;
  }

  /**
   * The first frame after HELLO (ACCEPT): the party blinds the own set on its
   * workers while this thread encrypts the columns, in slices that yield to the
   * event loop so that the workers' results keep flowing. MEASURE and the
   * ciphertexts go out before the blinded set, as the platform expects. A refused
   * frame keeps the ciphertexts for the genuine one.
   */
  async #firstReply(frame: Frame): Promise<Uint8Array[]> {
    this.#encrypting ??= this.#encryptColumns();
    const [inner, columns] = await Promise.all([this.#inner.stepFrame(this.#seq.toInner(frame)), this.#encrypting]);
    this.#seq.passed();
    const id = this.#inner.sessionId!;
    const out = [this.#seq.frame('measure', id, encodeMeasure({ ...this.#request(), publicKey: this.#keys!.publicKey }))];
    const step = MAX_CIPHERTEXTS_PER_FRAME * CIPHERTEXT_BYTES;
    columns.forEach((ciphertexts, column) => {
      for (let at = 0; at < ciphertexts.length; at += step) {
        const chunk = { column, offset: at / CIPHERTEXT_BYTES, ciphertexts: ciphertexts.subarray(at, at + step) };
        out.push(this.#seq.frame('ciphertexts', id, encodeCiphertexts(chunk)));
      }
    });
    this.#sentColumns = true;
    return [...out, ...this.#seq.outgoing(inner)];
  }

  /** Every own column encrypted, one ciphertext per position of the sending order. */
  async #encryptColumns(): Promise<Uint8Array[]> {
    const { order, groupOf } = this.#inner.sendingOrder!;
    const out: Uint8Array[] = [];
    for (const [, values] of this.#columns) {
      const plain = valuesInSendingOrder(values, groupOf, order, this.#valueBound);
      const column = new Uint8Array(plain.length * CIPHERTEXT_BYTES);
      for (let at = 0; at < plain.length; at += ENCRYPT_SLICE) {
        const slice = plain.slice(at, at + ENCRYPT_SLICE);
        column.set(encryptValues(this.#he!, slice, this.#keys!.secretKey, this.#valueBound), at * CIPHERTEXT_BYTES);
        await yieldToEventLoop();
      }
      out.push(column);
    }
    return out;
  }

  #request(): MeasureRequest {
    return { platformColumns: this.#platformColumns, columns: this.#columns.map(([n]) => n), valueBound: this.#valueBound };
  }

  /** Checks the AGGREGATES frame against the request and decrypts the sums. */
  #open(payload: Uint8Array): Aggregates {
    const message = decodeAggregates(payload);
    const got = Object.keys(message.platform).sort().join(',');
    if (got !== [...this.#platformColumns].sort().join(',')) {
      throw new PsiError('PAYLOAD_INVALID', `aggregates carry platform columns [${got}], not the ones asked for`);
    }
    if (message.ciphertexts.length !== this.#columns.length * CIPHERTEXT_BYTES) {
      throw new PsiError(
        'PAYLOAD_INVALID',
        `aggregates carry ${message.ciphertexts.length / CIPHERTEXT_BYTES} encrypted sums for ${this.#columns.length} columns`,
      );
    }
    const inner = this.#inner.result();
    const count = inner.released ?? exactFigure(inner.size!);
    const own =
      message.sums === null
        ? {}
        : openSums(this.#he!, message.ciphertexts, message.sums, {
            names: this.#columns.map(([n]) => n),
            secretKey: this.#keys!.secretKey,
            valueBound: this.#valueBound,
            maxRows: inner.ownSize,
          });
    return { count, columns: { ...message.platform, ...own } };
  }
}
