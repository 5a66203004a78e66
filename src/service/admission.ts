import { bytesToHex } from '@noble/hashes/utils.js';
import { toRational } from '../disclosure/epsilon.js';
import type { PrivacyBudget } from '../disclosure/memory-budget.js';
import { PsiError } from '../errors.js';
import { handshakeElements, type Handshake } from '../wire/messages.js';
import type { TermsBudget } from '../wire/terms.js';
import { budgetView } from './budget-view.js';
import type { ServiceConfig } from './config.js';
import { DailyCounter } from './daily-counter.js';
import type { Session, SessionStore } from './session-store.js';
import type { TokenEntry } from './tokens.js';

/**
 * Per-token daily item counts, in memory (`DailyCounter`) or persisted (the budget ledger).
 *
 * @example
 * ```ts
 * const counter: ItemCounter = new DailyCounter();
 * ```
 */
export interface ItemCounter {
  charge(id: string, amount: number, limit: number): boolean | Promise<boolean>;
  refund(id: string, amount: number): void | Promise<void>;
}

/**
 * Who may start a session and what it costs: the limits a HELLO must pass
 * (modes, sizes, sessions in progress and per day), and the charges to its
 * token (a session today, its items, each release's epsilon), refunded when
 * the session is refused before any work and settled when it repeats an earlier one.
 *
 * @example
 * ```ts
 * const admission = new Admission(config, { budget, itemCounter, sessions, log });
 * admission.check(token, hello);
 * await admission.charge(session, token, handshakeElements(hello));
 * ```
 */
export class Admission {
  readonly #config: ServiceConfig;
  readonly #budget: PrivacyBudget;
  readonly #items: ItemCounter;
  readonly #sessions: SessionStore;
  readonly #log: (line: string) => void;
  readonly #sessionsToday = new DailyCounter();

  constructor(
    config: ServiceConfig,
    parts: { budget: PrivacyBudget; itemCounter: ItemCounter; sessions: SessionStore; log: (line: string) => void },
  ) {
    this.#config = config;
    this.#budget = parts.budget;
    this.#items = parts.itemCounter;
    this.#sessions = parts.sessions;
    this.#log = parts.log;
  }

  /** Checks every limit a new session must pass; throws before anything is charged or blinded. */
  check(token: TokenEntry, hello: Handshake, remove = false): void {
    const { learn, peerLearns, maxItems, minItems, sessionsPerDay } = this.#config;
    // A remove session releases nothing: the client learns 'none', whatever the service grants others.
    const grants = remove ? 'none' : peerLearns;
    if (hello.learn !== grants || hello.peerLearns !== learn) {
      throw new PsiError(
        'MODE_MISMATCH',
        `the client wants to learn '${hello.learn}' and grants '${hello.peerLearns}'; this service grants '${grants}' and learns '${learn}' (GET /v1/terms)`,
      );
    }
    const { itemCount } = hello;
    const elements = handshakeElements(hello);
    if (elements > maxItems) {
      throw new PsiError('TOO_MANY_ITEMS', `the client declares ${elements} elements; this service accepts at most ${maxItems}`);
    }
    // An empty or tiny set makes the service blind its whole set for a membership test, not a match.
    // A remove session tells the client nothing, so one erasure request may name a single person.
    const least = remove ? 1 : minItems;
    if (itemCount < least && (learn !== 'none' || peerLearns !== 'none')) {
      throw new PsiError('TOO_FEW_ITEMS', `the client declares ${itemCount} distinct items; this service needs at least ${least}`);
    }
    if (this.#sessions.tokenFull(token.id)) {
      throw new PsiError('TOKEN_BUSY', `${token.id} has as many sessions in progress as it may; finish one first`);
    }
    if (this.#sessionsToday.used(token.id) >= sessionsPerDay) {
      throw new PsiError('SESSIONS_EXCEEDED', `${token.id} has started its ${sessionsPerDay} sessions for today`);
    }
  }

  /**
   * Charges a new session to its token: a session today, its items, and under a policy one release's
   * epsilon (none for a remove, which releases nothing), counted on the session.
   */
  async charge(session: Session, token: TokenEntry, itemCount: number, remove = false): Promise<void> {
    const limit = token.itemsPerDay ?? this.#config.itemsPerDay;
    if (!(await this.#items.charge(token.id, itemCount, limit))) {
      throw new PsiError('QUOTA_EXCEEDED', `${itemCount} items exceed what is left today for ${token.id}`);
    }
    const epsilon = this.#config.releaseEpsilon;
    if (epsilon !== undefined && !remove) {
      try {
        await this.#budget.charge(token.id, epsilon);
      } catch (e) {
        await this.#items.refund(token.id, itemCount);
        throw e;
      }
    }
    this.#sessionsToday.charge(token.id, 1, this.#config.sessionsPerDay);
    if (epsilon !== undefined && !remove) session.releasesCharged = 1;
  }

  /**
   * Gives back a session refused at the handshake or closed before its answer: none of the client's items
   * was blinded. Epsilon charged is never given back here. A refund that fails (a ledger closed by a
   * shutdown) keeps the items spent and never hides why the session ended.
   */
  async refund(token: TokenEntry, itemCount: number): Promise<void> {
    await Promise.resolve(this.#items.refund(token.id, itemCount)).catch(() => undefined);
    this.#sessionsToday.refund(token.id, 1);
  }

  /** Charges one more released figure of `session` (a measured column), before it is computed. */
  async chargeRelease(session: Session): Promise<void> {
    await this.#budget.charge(session.tokenId, this.#config.releaseEpsilon!);
    session.releasesCharged = (session.releasesCharged ?? 0) + 1;
  }

  /**
   * A byte-identical repeat of an earlier session of the token (the same release
   * seed, `seed`) was answered with the same figures and so is given its charges back
   * (docs/privacy.md, "Free repeats"). A failure keeps the charges: never an error that hands out budget.
   */
  async settle(session: Session, seed: Uint8Array | undefined): Promise<void> {
    const releases = session.releasesCharged ?? 0;
    if (seed === undefined || releases === 0 || this.#budget.settle === undefined) return;
    const epsilon = toRational(this.#config.releaseEpsilon!);
    try {
      const repeat = await this.#budget.settle(session.tokenId, bytesToHex(seed), {
        numerator: Number(epsilon.num) * releases,
        denominator: Number(epsilon.den),
      });
      if (repeat) this.#log(`session ${session.id} (${session.tokenId}) repeated an earlier one byte for byte: not charged`);
    } catch (e) {
      this.#log(`session ${session.id} (${session.tokenId}) could not be settled, its charges stand: ${(e as Error).message}`);
    }
  }

  /** Where `token`'s privacy budget stands, under a policy. */
  async budgetOf(token: TokenEntry): Promise<TermsBudget | undefined> {
    const epsilon = this.#config.releaseEpsilon;
    return epsilon === undefined ? undefined : budgetView(this.#budget, token.id, epsilon);
  }
}
