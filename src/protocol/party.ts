import { sha256 } from '@noble/hashes/sha2.js';
import { sameBytes } from '../bytes.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { keyedSource } from '../random/drbg.js';
import { cryptoSource, type ByteSource } from '../random/source.js';
import { release as releaseFigure } from '../disclosure/release.js';
import { PsiError } from '../errors.js';
import type { Blinder } from '../group/blinder.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { createBlinder, warmBlindingThreads } from '../group/create-blinder.js';
import type { BlindingLease } from '../group/threads.js';
import { intersectPacked } from '../join/index.js';
import { decodeFrame, encodeFrame, SESSION_ID_BYTES, type Frame, type FrameType } from '../wire/frame.js';
import { decodeChunk, decodeHandshake, encodeChunk, encodeHandshake, handshakeElements, type Handshake } from '../wire/messages.js';
import { decodeRelease, encodeRelease } from '../wire/release.js';
import { KeyDerivation } from './key-derivation.js';
import { prepareOwnSet, type OwnSet } from './own-set.js';
import { cacheBinding, cacheDigestKey } from './blinded-cache.js';
import { checkChunk, checkReturnedRows, positionFree, rejectDuplicates } from './peer-checks.js';
import { checkOptions, learnsCount, type CheckedOptions } from './options.js';
import { ElementStream } from './element-stream.js';
import { StreamingJoin } from './streaming-join.js';
import { Transcript } from './transcript.js';
import { permutePacked, randomPermutation } from '../random/shuffle.js';
import type { Reveal } from '../wire/reveal.js';
import { checkPeerGroup } from './suite.js';
import { stepInput } from './incoming.js';
import type { Party, PartyOptions, PartyResult } from './types.js';

/** Chunks blinded concurrently while the outgoing stream is produced. */
const PIPELINE_DEPTH = 4;

const SEED_DOMAIN = new TextEncoder().encode('blindjoin-v1 release seed');

/**
 * The digest a released figure's noise is keyed on: the caller's context (who
 * asked, the own set's version, the policy, kept state) and the transcript, each
 * length-prefixed so that no two different inputs meet.
 */
function releaseSeed(context: readonly Uint8Array[], transcript: Uint8Array): Uint8Array {
  const hash = sha256.create().update(SEED_DOMAIN);
  for (const part of [...context, transcript]) {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, part.length);
    hash.update(length).update(part);
  }
  return hash.digest();
}

/**
 * Frames a party numbered but left to be made on demand: `count` frames with
 * sequence numbers from `firstSeq`, frame `k` made by `frame(k)` (the same bytes
 * every time, so a lost reply is made again).
 *
 * @example
 * ```ts
 * party.deferOwnFrames();
 * await party.stepFrame(hello);
 * const deferred = party.takeDeferred(); // deferred.frame(0) is BLINDED frame deferred.firstSeq
 * ```
 */
export interface DeferredFrames {
  readonly firstSeq: number;
  readonly count: number;
  frame(k: number): Promise<Uint8Array>;
}

type Phase = 'start' | 'handshake' | 'exchange' | 'done' | 'closed';

/**
 * What a test may replace to make a session reproducible, and what a layer on
 * top (src/measurement) hooks into; never exported from the package, since a
 * predictable key or permutation breaks every guarantee.
 */
export interface PartySeams {
  /** Source of the session id, the key and the permutations; default the CSPRNG. */
  random?: (length: number) => Uint8Array;
  /**
   * Called once the join is done, when this party learns a count: `positions()`
   * gives the positions of the peer's items or rows (its sending order) that
   * matched, each once, where the peer's per-position ciphertexts are summed. It is a second
   * join, so it runs only if called, and only within the callback.
   */
  onPeerMatches?: (positions: () => Uint32Array) => void;
}

/**
 * The two-party DH-PSI state machine (see docs/protocol.md). After the handshake
 * both roles are symmetric: each sends its own blinded set, re-blinds the peer's
 * and returns it only if the peer learns something (in order for
 * `'intersection'`, shuffled for `'size'`), and keeps it if it learns itself.
 */
export class PsiParty implements Party {
  private readonly opts: CheckedOptions;
  private readonly random: (length: number) => Uint8Array;
  private readonly derive: KeyDerivation;
  private readonly onPeerMatches: PartySeams['onPeerMatches'];
  private phase: Phase = 'start';
  private id: Uint8Array | undefined;
  private sendSeq = 0;
  private recvSeq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private blinder: Promise<Blinder> | undefined;
  /** With a blinded cache: what its entries must be bound to, and the key of its item digests, taken from the key. */
  private cacheKeys: { binding: Uint8Array; digestKey: Uint8Array } | undefined;
  /** Set once the key is released: no blinder, and so no key or pool lease, is created after it. */
  private keyReleased = false;
  /** Threads started once the session goes ahead, held until the blinder holds them (or the key is released). */
  private warmThreads: Promise<BlindingLease | undefined> | undefined;
  private own: OwnSet | undefined;
  /** The peer's handshake, once checked. */
  private peer: Required<Handshake> | undefined;
  /** Elements of the peer's stream still to come in total (0 when no one learns). */
  private peerCount = 0;
  /** Peer elements re-blinded under our key (B^ab), kept when we learn or return them shuffled. */
  private peerDouble: ElementStream | undefined;
  private peerReceived = 0;
  /** Own elements re-blinded by the peer (A^ab), in our sending order; received when we learn. */
  private ownDouble: Uint8Array | undefined;
  private ownDoubleReceived = 0;
  /** Instead of `ownDouble` for a stored own set: returned chunks joined on arrival, only matches kept. */
  private joinOnArrival = false;
  private ownJoin: StreamingJoin | undefined;
  /** Own BLINDED frames left for {@link takeDeferred} (a stored set, when the caller asked to pull them). */
  private deferred: DeferredFrames | undefined;
  private deferOwn = false;
  private outcome: PartyResult | undefined;
  /** What the peer sent, kept when a released figure's noise is keyed on it. */
  private readonly transcript: Transcript | undefined;
  /** Once released: the digest the figure's noise is keyed on, with the caller's context. */
  private seed: Uint8Array | undefined;

  constructor(opts: PartyOptions, seams: PartySeams = {}) {
    this.opts = checkOptions(opts);
    this.random = seams.random ?? randomBytes;
    this.derive = new KeyDerivation(this.opts.keySeed, this.opts.keyFromItems, this.random);
    this.onPeerMatches = seams.onPeerMatches;
    this.transcript = this.opts.release?.noiseKey === undefined ? undefined : new Transcript();
  }

  /**
   * After a session that released a keyed figure: the digest of the context and
   * of every byte the peer sent that the noise is keyed on. Two sessions with
   * the same one released the same figure (a service uses it to tell a repeat).
   */
  get releaseSeed(): Uint8Array | undefined {
    return this.seed?.slice();
  }

  /**
   * Records a payload of the peer's that a layer on top (src/measurement)
   * handled itself, so that a keyed figure's noise commits to it too.
   */
  recordPeerPayload(type: FrameType, payload: Uint8Array): void {
    this.transcript?.record(type, payload);
  }

  /**
   * A source of noise for a further figure of this session (`label` names it):
   * keyed like the count's when the count is keyed, else the CSPRNG. Only once done.
   */
  noiseSource(label: string): ByteSource {
    const key = this.opts.release?.noiseKey;
    if (key === undefined || this.seed === undefined) return cryptoSource;
    return keyedSource(key, [this.seed, new TextEncoder().encode(label)]);
  }

  /**
   * Own sending order once the first step has run: item or row position p of the
   * own stream carries distinct item or row `order[p]`, and given index i is
   * distinct `groupOf[i]` (-1: a row with no key, never sent). A layer sending
   * per-position data aligned with the stream uses it.
   */
  get sendingOrder(): { order: Uint32Array; groupOf: Uint32Array | Int32Array } | undefined {
    return this.own === undefined ? undefined : { order: this.own.order, groupOf: this.own.groupOf };
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  get sessionId(): Uint8Array | undefined {
    return this.id?.slice();
  }

  /** What this party agreed the peer learns. */
  get peerLearns(): Reveal {
    return this.opts.peerLearns;
  }

  /**
   * With a `storedSet`: leaves the own BLINDED frames out of what `step()` returns,
   * for {@link takeDeferred}, so that a service reads them from disk as the peer
   * pulls them instead of holding the whole set per session. Call before the first step.
   */
  deferOwnFrames(): void {
    this.deferOwn = this.opts.storedSet !== undefined;
  }

  /** The own BLINDED frames left out of the last step's answer, once; they come right after it in sequence. */
  takeDeferred(): DeferredFrames | undefined {
    const deferred = this.deferred;
    this.deferred = undefined;
    return deferred;
  }

  step(incoming?: Uint8Array): Promise<Uint8Array[]> {
    return this.enqueue(async () => this.handle(stepInput(incoming)));
  }

  /** {@link step} for a frame the caller has already decoded (a service parses each header once). */
  stepFrame(frame: Frame): Promise<Uint8Array[]> {
    return this.enqueue(() => this.handle(frame));
  }

  result(): PartyResult {
    if (this.outcome === undefined || this.phase !== 'done') throw new PsiError('NOT_DONE', 'the session has not completed');
    const { ownSize, peerSize, size, matches, released } = this.outcome;
    return {
      ownSize,
      peerSize,
      ...(size === undefined ? {} : { size }),
      ...(matches === undefined ? {} : { matches: [...matches] }),
      ...(released === undefined ? {} : { released }),
    };
  }

  async close(): Promise<void> {
    if (this.phase !== 'done') this.phase = 'closed';
    await this.releaseKey();
  }

  /** Runs steps one at a time; a step that `close()` overtook rejects with `SESSION_CLOSED`, whatever it was doing. */
  private enqueue(fn: () => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    const run = this.queue.then(fn).then(
      (out) => {
        if (this.phase === 'closed') throw closedError();
        return out;
      },
      (e: unknown) => {
        throw this.phase === 'closed' && !(e instanceof PsiError && e.code === 'SESSION_CLOSED') ? closedError(e) : e;
      },
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async handle(incoming: Uint8Array | Frame | undefined): Promise<Uint8Array[]> {
    if (this.phase === 'closed') throw closedError();
    if (this.phase === 'done') throw new PsiError('SESSION_DONE', 'the session has already completed');
    if (this.phase === 'start' && this.opts.role === 'initiator') {
      if (incoming !== undefined) throw new PsiError('UNEXPECTED_FRAME', "the initiator's first step takes no message");
      return this.hello();
    }
    if (incoming === undefined) throw new PsiError('MESSAGE_REQUIRED', 'step() needs the peer message');
    const frame = incoming instanceof Uint8Array ? decodeFrame(incoming) : incoming;
    if (this.id !== undefined && !sameBytes(frame.sessionId, this.id)) {
      throw new PsiError('SESSION_MISMATCH', 'frame belongs to another session');
    }
    if (frame.seq !== this.recvSeq) {
      throw new PsiError('FRAME_OUT_OF_ORDER', `expected frame ${this.recvSeq}, got ${frame.seq} (replayed or reordered)`);
    }
    const expected = this.expectedType();
    if (frame.type !== expected) {
      throw new PsiError('UNEXPECTED_FRAME', `expected a ${expected ?? 'no'} frame, got ${frame.type}`);
    }
    const out = await this.dispatch(frame);
    // Returns of our own elements are hashed in our canonical order instead (see Transcript).
    if (frame.type !== 'reblinded') this.transcript?.record(frame.type, frame.payload);
    this.recvSeq++;
    out.push(...(await this.finishIfComplete()));
    return out;
  }

  private expectedType(): FrameType | undefined {
    if (this.phase === 'start') return 'hello';
    if (this.phase === 'handshake') return 'accept';
    if (this.peerReceived < this.peerCount) return 'blinded';
    if ((this.ownDouble !== undefined || this.joinOnArrival) && this.ownDoubleReceived < this.own!.elements) return 'reblinded';
    if (this.opts.learn === 'released' && this.outcome?.released === undefined) return 'release';
    return undefined;
  }

  private dispatch(frame: Frame): Promise<Uint8Array[]> {
    switch (frame.type) {
      case 'hello':
        return this.onHello(frame);
      case 'accept':
        return this.onAccept(frame);
      case 'blinded':
        return this.onBlinded(frame);
      case 'reblinded':
        return this.onReblinded(frame);
      case 'release':
        return this.onRelease(frame);
      default:
        // The measurement layer's frames never reach the party (expectedType() refuses them first).
        throw new PsiError('UNEXPECTED_FRAME', `a ${frame.type} frame is not for the PSI party`);
    }
  }

  private async hello(): Promise<Uint8Array[]> {
    this.startThreads();
    const own = await this.ownSet();
    this.id = this.random(SESSION_ID_BYTES).slice();
    this.phase = 'handshake';
    return [this.frame('hello', encodeHandshake(this.handshake(own)))];
  }

  private async onHello(frame: Frame): Promise<Uint8Array[]> {
    const peer = this.checkHandshake(decodeHandshake(frame.payload));
    this.startThreads();
    const own = await this.ownSet();
    const id = frame.sessionId.slice();
    // Built before any state changes: a HELLO that fails here leaves the party as it was.
    const blinded = this.deferOwn ? [] : await this.ownBlindedFrames(own, id, this.sendSeq + 1);
    this.id = id;
    const accept = this.frame('accept', encodeHandshake(this.handshake(own)));
    if (this.deferOwn && this.anyoneLearns()) this.deferred = this.deferFrames(own, id, this.sendSeq);
    this.sendSeq += this.deferred?.count ?? blinded.length;
    this.beginExchange(peer, own);
    return [accept, ...blinded];
  }

  private async onAccept(frame: Frame): Promise<Uint8Array[]> {
    const peer = this.checkHandshake(decodeHandshake(frame.payload));
    const own = this.own!;
    const out = await this.ownBlindedFrames(own, this.id!, this.sendSeq);
    this.sendSeq += out.length;
    this.beginExchange(peer, own);
    return out;
  }

  private async onBlinded(frame: Frame): Promise<Uint8Array[]> {
    const { offset, elements } = decodeChunk(frame.payload);
    const count = elements.length / ELEMENT_BYTES;
    checkChunk(offset, count, this.peerReceived, this.peerCount);
    const blinder = await this.getBlinder();
    const storedSet = this.opts.storedSet;
    const reblinded = await (
      storedSet?.reblind === undefined ? blinder.reblind(elements) : storedSet.reblind(elements, (missing) => blinder.reblind(missing))
    ).catch(positionFree);
    const { learn, peerLearns } = this.opts;
    const last = offset + count === this.peerCount;
    const stream = this.peerDouble;
    stream?.append(reblinded);
    // Rows may share a key, so a row stream repeats elements by design; repeats cannot raise our count.
    if (stream !== undefined && last && learnsCount(learn) && this.peer!.slots === 0) {
      try {
        rejectDuplicates(stream.view(), 'the peer sent the same element twice');
      } catch (e) {
        stream.truncate(count);
        throw e;
      }
    }
    const out: Uint8Array[] = [];
    if (peerLearns === 'intersection') out.push(this.frame('reblinded', encodeChunk({ offset, elements: reblinded })));
    if (stream !== undefined && last && peerLearns === 'size') {
      out.push(...this.chunkFrames('reblinded', this.shuffledPeerRows(stream.view())));
    }
    this.peerReceived += count;
    return out;
  }

  private async onReblinded(frame: Frame): Promise<Uint8Array[]> {
    const { offset, elements } = decodeChunk(frame.payload);
    const count = elements.length / ELEMENT_BYTES;
    const own = this.own!;
    checkChunk(offset, count, this.ownDoubleReceived, own.elements);
    if (this.joinOnArrival) {
      // The peer's whole set has arrived before any of ours comes back (expectedType), so the join can index it now.
      this.streamingJoin().add(elements);
      // A stored set's positions are its canonical order: returns are hashed as they come.
      this.transcript?.returnedInOrder(elements);
      await this.opts.storedSet?.keep?.(offset, elements);
      this.ownDoubleReceived += count;
      return [];
    }
    const ownDouble = this.ownDouble!;
    ownDouble.set(elements, offset * ELEMENT_BYTES);
    if (offset + count === own.elements) {
      try {
        if (own.keyAt === undefined) rejectDuplicates(ownDouble, 'the peer returned the same element twice');
        else checkReturnedRows(ownDouble, own.keyAt, this.opts.learn === 'intersection');
      } catch (e) {
        // The region was unused before this frame: clearing it undoes the frame.
        ownDouble.fill(0, offset * ELEMENT_BYTES);
        throw e;
      }
    }
    this.ownDoubleReceived += count;
    return [];
  }

  private async onRelease(frame: Frame): Promise<Uint8Array[]> {
    this.outcome!.released = decodeRelease(frame.payload);
    return [];
  }

  /** Checks the peer's handshake against our own terms; nothing is changed on failure. */
  private checkHandshake(peer: Required<Handshake>): Required<Handshake> {
    checkPeerGroup(peer.group, this.opts.suite);
    const { learn, peerLearns, maxPeerItems } = this.opts;
    // Both halves matter: a peer that wants more than we grant, or grants less than we want.
    if (peer.learn !== peerLearns || peer.peerLearns !== learn) {
      throw new PsiError(
        'MODE_MISMATCH',
        `peer wants to learn '${peer.learn}' and grants '${peer.peerLearns}'; this party grants '${peerLearns}' and wants '${learn}'`,
      );
    }
    const elements = handshakeElements(peer);
    if (elements > maxPeerItems) {
      throw new PsiError('TOO_MANY_ITEMS', `peer declares ${elements} elements, more than maxPeerItems ${maxPeerItems}`);
    }
    return peer;
  }

  private beginExchange(peer: Required<Handshake>, own: OwnSet): void {
    const { learn, peerLearns } = this.opts;
    this.peer = peer;
    this.peerCount = this.anyoneLearns() ? handshakeElements(peer) : 0;
    this.outcome = { ownSize: own.count, peerSize: peer.itemCount };
    if (learnsCount(learn) || peerLearns === 'size') this.peerDouble = new ElementStream(ELEMENT_BYTES, this.peerCount);
    if (learnsCount(learn) && this.opts.storedSet === undefined) this.ownDouble = new Uint8Array(own.elements * ELEMENT_BYTES);
    if (learnsCount(learn) && this.opts.storedSet !== undefined) this.joinOnArrival = true;
    this.phase = 'exchange';
  }

  /** The peer's re-blinded stream in a fresh order of its items or rows: a row's elements stay together, so it can count rows. */
  private shuffledPeerRows(stream: Uint8Array): Uint8Array {
    const { itemCount, slots } = this.peer!;
    return permutePacked(stream, randomPermutation(itemCount, this.random), ELEMENT_BYTES * Math.max(1, slots));
  }

  /** Blinded sets cross the wire only when one of the parties learns something. */
  private anyoneLearns(): boolean {
    return this.opts.learn !== 'none' || this.opts.peerLearns !== 'none';
  }

  private handshake(own: OwnSet): Handshake {
    const { suite, learn, peerLearns } = this.opts;
    return { group: suite.code, learn, peerLearns, itemCount: own.count, slots: own.slots };
  }

  /**
   * Own blinded elements in sending order as frames of session `id` numbered from `firstSeq`,
   * blinded a few chunks ahead of framing. Every chunk started is awaited or has
   * its failure handled, so a close() mid-way leaves no rejection unobserved.
   */
  private async ownBlindedFrames(own: OwnSet, id: Uint8Array, firstSeq: number): Promise<Uint8Array[]> {
    if (!this.anyoneLearns()) return [];
    const { chunkItems } = this.opts;
    const pending: Promise<Uint8Array>[] = [];
    const frames: Uint8Array[] = [];
    for (let from = 0, next = 0; from < own.elements; from += chunkItems) {
      for (; next < own.elements && pending.length < PIPELINE_DEPTH; next += chunkItems) {
        const chunk = own.blindRange(next, Math.min(next + chunkItems, own.elements));
        chunk.catch(() => undefined);
        pending.push(chunk);
      }
      const elements = await pending.shift()!;
      frames.push(encodeFrame('blinded', id, firstSeq + frames.length, encodeChunk({ offset: from, elements })));
    }
    return frames;
  }

  /** Own BLINDED frames of session `id` from `firstSeq`, each made when asked for (the peer pulls them). */
  private deferFrames(own: OwnSet, id: Uint8Array, firstSeq: number): DeferredFrames {
    const { chunkItems } = this.opts;
    return {
      firstSeq,
      count: Math.ceil(own.elements / chunkItems),
      frame: async (k) => {
        const from = k * chunkItems;
        const elements = await own.blindRange(from, Math.min(from + chunkItems, own.elements));
        return encodeFrame('blinded', id, firstSeq + k, encodeChunk({ offset: from, elements }));
      },
    };
  }

  private chunkFrames(type: FrameType, elements: Uint8Array): Uint8Array[] {
    const step = this.opts.chunkItems * ELEMENT_BYTES;
    const frames: Uint8Array[] = [];
    for (let at = 0; at < elements.length; at += step) {
      frames.push(this.frame(type, encodeChunk({ offset: at / ELEMENT_BYTES, elements: elements.subarray(at, at + step) })));
    }
    return frames;
  }

  private frame(type: FrameType, payload: Uint8Array): Uint8Array {
    return encodeFrame(type, this.id!, this.sendSeq++, payload);
  }

  /** Once nothing more is expected: the join, the figure a `'released'` peer is owed, and the key's release. */
  private async finishIfComplete(): Promise<Uint8Array[]> {
    if (this.phase !== 'exchange' || this.expectedType() !== undefined) return [];
    const outcome = this.outcome!;
    const out: Uint8Array[] = [];
    if (this.ownDouble !== undefined || this.joinOnArrival) {
      const peerDouble = this.peerDouble!.view();
      const join = this.joinOnArrival ? this.streamingJoin() : undefined;
      // Kept elements (indices from the set's size on) join after the sent ones, so a peer element matches once in all.
      const storedSet = this.opts.storedSet;
      if (join !== undefined && storedSet?.joinKept !== undefined) {
        const ascending = join.peerAscending();
        join.addMatches(ascending, await storedSet.joinKept(ascending));
      }
      const hits = join?.positions() ?? intersectPacked(this.ownDouble!, peerDouble, { width: ELEMENT_BYTES });
      if (this.opts.storedSet !== undefined) {
        // A stored set is sent in its stored order: its positions are the caller's indices.
        outcome.size = hits.length;
        if (this.opts.learn === 'intersection') outcome.matches = Array.from(hits);
      } else {
        const matched = this.matchedUnits(hits);
        outcome.size = matched.count;
        if (this.opts.learn === 'intersection') outcome.matches = this.ownIndices(matched.flags);
      }
      const ownDouble = this.ownDouble;
      if (ownDouble !== undefined)
        this.onPeerMatches?.(() => this.peerUnits(intersectPacked(peerDouble, ownDouble, { width: ELEMENT_BYTES })));
      const release = this.opts.release;
      if (release !== undefined) {
        const { noiseKey, context, policy } = release;
        if (this.transcript !== undefined && ownDouble !== undefined) this.returnedToTranscript(ownDouble);
        this.seed = this.transcript === undefined ? undefined : releaseSeed(context, this.transcript.digest());
        const random = noiseKey === undefined || this.seed === undefined ? cryptoSource : keyedSource(noiseKey, [this.seed]);
        const counted =
          release.countMatches !== undefined && outcome.matches !== undefined ? await release.countMatches(outcome.matches) : outcome.size;
        outcome.released = releaseFigure(counted, policy, { random, denominator: outcome.peerSize });
        out.push(this.frame('release', encodeRelease(outcome.released)));
      }
    }
    this.phase = 'done';
    this.peerDouble = undefined;
    this.ownDouble = undefined;
    this.ownJoin = undefined;
    await this.releaseKey();
    return out;
  }

  /** The join of a stored own set; made at the first returned chunk, or here when none came (an empty set). */
  private streamingJoin(): StreamingJoin {
    this.ownJoin ??= new StreamingJoin(this.peerDouble!.view());
    return this.ownJoin;
  }

  /** Hands the peer's whole return of our elements to the transcript, in our canonical order; our dummies left out. */
  private returnedToTranscript(ownDouble: Uint8Array): void {
    const { order, keyAt, slots } = this.own!;
    const width = Math.max(1, slots);
    this.transcript!.returnedWhole(ownDouble, (p) =>
      keyAt !== undefined && keyAt[p]! < 0 ? -1 : order[Math.floor(p / width)]! * width + (p % width),
    );
  }

  /** Which distinct items or rows the matched element positions (in our sending order) belong to. */
  private matchedUnits(positions: Uint32Array): { flags: Uint8Array; count: number } {
    const { order, count, slots } = this.own!;
    const width = Math.max(1, slots);
    const flags = new Uint8Array(count);
    let matched = 0;
    for (const p of positions) {
      const unit = order[Math.floor(p / width)]!;
      matched += 1 - flags[unit]!;
      flags[unit] = 1;
    }
    return { flags, count: matched };
  }

  /** The peer's matched items or rows, in its sending order, from its matched element positions: each row once, ascending. */
  private peerUnits(positions: Uint32Array): Uint32Array {
    const width = Math.max(1, this.peer!.slots);
    if (width === 1) return positions;
    const units = Uint32Array.from(positions, (p) => Math.floor(p / width)).sort();
    return units.filter((u, i) => i === 0 || u !== units[i - 1]);
  }

  /** Every index the caller gave whose distinct item or row matched. */
  private ownIndices(flags: Uint8Array): number[] {
    const { groupOf } = this.own!;
    const out: number[] = [];
    for (let i = 0; i < groupOf.length; i++) if (flags[groupOf[i]!] === 1) out.push(i);
    return out;
  }

  /** Own distinct items or rows in their sending order, prepared at the first step. */
  private async ownSet(): Promise<OwnSet> {
    this.own ??= await prepareOwnSet(this.opts, this.derive, (inputs) => this.blindInputs(inputs));
    return this.own;
  }

  private async blindInputs(inputs: Uint8Array): Promise<Uint8Array> {
    const blinder = await this.getBlinder();
    const cache = this.opts.blindedCache;
    if (cache === undefined || this.cacheKeys === undefined) return blinder.blind(inputs);
    const { binding, digestKey } = this.cacheKeys;
    return cache.blind(inputs, binding, digestKey, (missing) => blinder.blind(missing));
  }

  private getBlinder(): Promise<Blinder> {
    if (this.keyReleased) return Promise.reject(closedError());
    if (this.blinder !== undefined) return this.blinder;
    const { blindedSet, storedSet, suite, backend, workers, blindedCache } = this.opts;
    const key = blindedSet?.copyKey() ?? storedSet?.copyKey() ?? suite.randomKey(this.derive.key(() => this.own!.digest()));
    // Taken before the blinder owns (and later zeroises) the key.
    if (blindedCache !== undefined) this.cacheKeys = { binding: cacheBinding(suite.name, key), digestKey: cacheDigestKey(key) };
    this.blinder = createBlinder({ group: suite.name, key, backend, workers });
    // The blinder holds the threads now (or failed, and the session with it).
    const letGo = () => this.letThreadsGo();
    this.blinder.then(letGo, letGo);
    return this.blinder;
  }

  /**
   * Starts the blinding threads while the own set is prepared (their start-up
   * overlaps it): a cold process's first session does not wait for them at its
   * first blinding. Errors are the blinder's to report.
   */
  private startThreads(): void {
    const { suite, backend, workers } = this.opts;
    this.warmThreads ??= warmBlindingThreads({ group: suite.name, backend, workers }).catch(() => undefined);
  }

  private letThreadsGo(): void {
    this.warmThreads = this.warmThreads?.then((lease) => void lease?.release());
  }

  private async releaseKey(): Promise<void> {
    this.keyReleased = true;
    this.letThreadsGo();
    this.cacheKeys?.digestKey.fill(0);
    this.cacheKeys = undefined;
    const blinder = this.blinder;
    this.blinder = undefined;
    if (blinder !== undefined) await (await blinder).close();
  }
}

function closedError(cause?: unknown): PsiError {
  return new PsiError('SESSION_CLOSED', 'the session was closed', cause === undefined ? undefined : { cause });
}

/**
 * Creates one side of a PSI session. Validates the options at once (a bad role,
 * reveal or item throws `PsiError`); the work starts at the first `step()`.
 * Each party draws a fresh secret key, zeroised when the session ends.
 *
 * @example
 * ```ts
 * const advertiser = createParty({ role: 'initiator', items: emails, learn: 'size', peerLearns: 'intersection' });
 * const platform = createParty({ role: 'responder', items: users, learn: 'intersection', peerLearns: 'size' });
 * await runLocal(advertiser, platform);
 * advertiser.result().size; platform.result().matches;
 * ```
 */
export function createParty(opts: PartyOptions): Party {
  return new PsiParty(opts);
}
