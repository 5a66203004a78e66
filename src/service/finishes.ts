import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * The work each finished session does after its last answer (its rows, its
 * result and its audience), tracked so that readers and shutdown can wait for
 * it. A session's work is queued when it finishes and started once the client
 * holds the session's last frames: it then runs on a later turn of the event
 * loop than the answer, after the token's work started before it (so that its
 * audiences change in the order its sessions finished). Work never rejects to
 * its caller: a failure goes to `failed`.
 *
 * @example
 * ```ts
 * const finishes = new Finishes<Session>((session, e) => log(`${session.id} failed: ${String(e)}`));
 * finishes.queue(session, session.tokenId, () => writeResult(session));
 * finishes.start(session); // once the answer carrying the release is out
 * await finishes.ofToken(session.tokenId); // before reading the token's audiences
 * ```
 */
export class Finishes<K extends object> {
  readonly #failed: (key: K, error: unknown) => void;
  /** Work of sessions whose client does not yet hold every frame. */
  readonly #queued = new Map<K, { tokenId: string; work: () => Promise<void> }>();
  /** Work started and not yet done, by session. */
  readonly #running = new Map<K, Promise<void>>();
  /** The last work started of each token, while it runs. */
  readonly #tails = new Map<string, Promise<void>>();

  constructor(failed: (key: K, error: unknown) => void) {
    this.#failed = failed;
  }

  /** Work not yet done: queued or running. */
  get size(): number {
    return this.#queued.size + this.#running.size;
  }

  /** Queues the work of a finished session, to run once {@link start}ed. */
  queue(key: K, tokenId: string, work: () => Promise<void>): void {
    this.#queued.set(key, { tokenId, work });
  }

  /** Starts a queued work after the token's work started before it, on a later turn of the event loop; once only. */
  start(key: K): void {
    const queued = this.#queued.get(key);
    if (queued === undefined) return;
    this.#queued.delete(key);
    const { tokenId, work } = queued;
    const run = (this.#tails.get(tokenId) ?? Promise.resolve())
      .then(() => nextTurn())
      .then(work)
      .catch((e: unknown) => {
        try {
          this.#failed(key, e);
        } catch {
          // Whatever reporting the failure throws is dropped: no work ever rejects unhandled.
        }
      })
      .finally(() => {
        this.#running.delete(key);
        if (this.#tails.get(tokenId) === run) this.#tails.delete(tokenId);
      });
    this.#running.set(key, run);
    this.#tails.set(tokenId, run);
  }

  /** Resolves once the session's work, if started, is done. */
  async of(key: K): Promise<void> {
    await this.#running.get(key);
  }

  /** Resolves once every work of the token started so far is done. */
  async ofToken(tokenId: string): Promise<void> {
    await this.#tails.get(tokenId);
  }

  /** Starts every queued work and resolves once all are done, those queued meanwhile too. */
  async all(): Promise<void> {
    while (this.size > 0) {
      for (const key of [...this.#queued.keys()]) this.start(key);
      await Promise.all(this.#running.values());
    }
  }
}
