import { exactFigure } from '../disclosure/exact.js';
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
import type { AdvertiserMeasure, Aggregates, MeasuredResult } from './types.js';
import { checkValueBound, checkValueColumn, valuesInSendingOrder } from './values.js';

const CIPHERTEXT_BYTES = 64;

/**
 * The advertiser's side of a measured session: a PSI initiator whose first
 * step also sends a MEASURE request and, for its own value columns, one
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

  constructor(opts: PartyOptions, measure: AdvertiserMeasure) {
    this.#inner = new PsiParty(opts);
    if (opts.learn === 'none') throw new PsiError('OPTIONS_INVALID', 'measuring needs a count: learn must not be none');
    this.#platformColumns = checkColumnNames(measure.platformColumns ?? [], 'platformColumns');
    const values = measure.values ?? {};
    if (typeof values !== 'object' || values === null) throw new PsiError('OPTIONS_INVALID', 'values must be an object of columns');
    const names = checkColumnNames(Object.keys(values), 'values');
    const n = opts.items?.length;
    if (names.length > 0 && n === undefined) throw new PsiError('OPTIONS_INVALID', 'values need items, one value per item');
    this.#columns = names.map((name) => [name, checkValueColumn(values[name], name, n!)]);
    const overlap = names.find((c) => this.#platformColumns.includes(c));
    if (overlap !== undefined) throw new PsiError('OPTIONS_INVALID', `column ${overlap} is named on both sides`);
    this.#valueBound = names.length === 0 ? 0n : checkValueBound(measure.valueBound, 'valueBound', MAX_VALUE_BOUND);
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

  /** HELLO, then MEASURE and the ciphertexts of every own column, aligned with the sending order just drawn. */
  async #start(): Promise<Uint8Array[]> {
    const out = this.#seq.outgoing(await this.#inner.step());
    const id = this.#inner.sessionId!;
    const request: MeasureRequest = {
      platformColumns: this.#platformColumns,
      columns: this.#columns.map(([n]) => n),
      valueBound: this.#valueBound,
    };
    if (this.#columns.length === 0) return [...out, this.#seq.frame('measure', id, encodeMeasure(request))];
    this.#he = await loadHomomorphicBackend(this.#backend);
    this.#keys = generateKeyPair();
    out.push(this.#seq.frame('measure', id, encodeMeasure({ ...request, publicKey: this.#keys.publicKey })));
    const { order, groupOf } = this.#inner.sendingOrder!;
    this.#columns.forEach(([, values], column) => {
      const ciphertexts = encryptValues(
        this.#he!,
        valuesInSendingOrder(values, groupOf, order, this.#valueBound),
        this.#keys!.secretKey,
        this.#valueBound,
      );
      const step = MAX_CIPHERTEXTS_PER_FRAME * CIPHERTEXT_BYTES;
      for (let at = 0; at < ciphertexts.length; at += step) {
        const chunk = { column, offset: at / CIPHERTEXT_BYTES, ciphertexts: ciphertexts.subarray(at, at + step) };
        out.push(this.#seq.frame('ciphertexts', id, encodeCiphertexts(chunk)));
      }
    });
    return out;
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
