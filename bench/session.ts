/**
 * Helpers shared by the end-to-end benchmarks: the two parties' identifier sets
 * and a blindjoin session that counts the bytes it puts on the wire.
 */
import * as sources from '../src/node.js';
import type { GroupName, Party } from '../src/node.js';

/**
 * The part of the library a session needs.
 *
 * @example
 * ```ts
 * const lib: Library = await loadLibrary(false);
 * ```
 */
export type Library = Pick<typeof sources, 'createParty' | 'runLocal'>;

/**
 * The library under test: the TypeScript sources, or with `dist` the build that
 * users run (`npm run build` first), whose worker threads skip the TypeScript loader.
 *
 * @example
 * ```ts
 * const lib = await loadLibrary(process.argv.includes('--dist'));
 * ```
 */
export async function loadLibrary(dist: boolean): Promise<Library> {
  if (!dist) return sources;
  // A computed specifier: type-checking must not require a build.
  return (await import(new URL('../dist/node.js', import.meta.url).href)) as Library;
}

/**
 * Identifier sets of n and m items sharing `overlap` items, as e-mail-like strings.
 *
 * @example
 * ```ts
 * const { a, b } = makeSets(1000, 1000, 500); // 500 common items
 * ```
 */
export function makeSets(n: number, m: number, overlap: number): { a: string[]; b: string[] } {
  const a = Array.from({ length: n }, (_, i) => `user.${i}@example.com`);
  const b = Array.from({ length: m }, (_, j) =>
    j < overlap ? `user.${j * Math.floor(n / overlap)}@example.com` : `other.${j}@example.org`,
  );
  return { a, b };
}

/** Wraps a party so that every frame it sends adds its length to `bytes.sent`. */
function counting(party: Party, bytes: { sent: number }): Party {
  return {
    get done() {
      return party.done;
    },
    get sessionId() {
      return party.sessionId;
    },
    async step(incoming?: Uint8Array) {
      const out = await party.step(incoming);
      for (const frame of out) bytes.sent += frame.length;
      return out;
    },
    result: () => party.result(),
    close: () => party.close(),
  };
}

/**
 * Outcome of one session: wall time, frames' total length, and what the initiator learnt.
 *
 * @example
 * ```ts
 * const { ms, wireBytes, matches }: SessionRun = await runSession(makeSets(10, 10, 5));
 * ```
 */
export interface SessionRun {
  ms: number;
  wireBytes: number;
  matches: number;
}

/**
 * One blindjoin session in this process: the initiator (set `a`) learns the
 * intersection, the responder (set `b`) learns nothing, as in psi.js's client/server.
 * `group` picks the suite (default: the library's default), backend `'auto'`.
 *
 * @example
 * ```ts
 * const { ms, wireBytes } = await runSession(makeSets(1000, 1000, 500), undefined, sources, 'x25519');
 * ```
 */
export async function runSession(
  sets: { a: string[]; b: string[] },
  workers?: number,
  lib: Library = sources,
  group?: GroupName,
): Promise<SessionRun> {
  const { createParty, runLocal } = lib;
  const bytes = { sent: 0 };
  const start = performance.now();
  const initiator = createParty({ role: 'initiator', items: sets.a, learn: 'intersection', peerLearns: 'none', workers, group });
  const responder = createParty({ role: 'responder', items: sets.b, learn: 'none', peerLearns: 'intersection', workers, group });
  await runLocal(counting(initiator, bytes), counting(responder, bytes));
  const ms = performance.now() - start;
  return { ms, wireBytes: bytes.sent, matches: initiator.result().matches!.length };
}
