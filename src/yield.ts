/**
 * Lets other work run: a service's other sessions between slices of a long
 * homomorphic loop, or a page's rendering. A macrotask, so timers and I/O get
 * their turn (a resolved promise would not), in Node and in browsers alike.
 *
 * @example
 * ```ts
 * for (let at = 0; at < n; at += SLICE) { work(at); await yieldToEventLoop(); }
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
