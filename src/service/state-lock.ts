import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { writeDurably } from '../atomic-file.js';
import { PsiError } from '../errors.js';

/**
 * The lock file of a state directory. A service writes its pid and host name
 * into it (created whole by a hard link, which fails if it exists) and removes it on close. A lock whose process
 * is gone (on this host) is taken over at once, so a `kill -9` never blocks the
 * restart. This is chosen over `proper-lockfile`, whose only staleness test is
 * the lock's age (at least 2 s, refreshed by a timer on the event loop): a
 * restart right after a crash would be refused, and a long pause of the event
 * loop would let a second process steal a live lock.
 *
 * @example
 * ```ts
 * const lock = await lockStateDir('/var/lib/blindjoin'); // STATE_LOCKED if another service holds it
 * await lock.release();
 * ```
 */
export interface StateLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file if it is still this process's; idempotent. */
  release(): Promise<void>;
}

/** The lock file's name inside the state directory. */
export const LOCK_FILE = 'service.lock';

/** Lock files this process holds: its own pid in a lock is stale only when the lock is not one of these. */
const held = new Set<string>();

interface Holder {
  pid: number;
  host: string;
}

function holderOf(text: string): Holder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    if (Number.isSafeInteger(parsed.pid) && typeof parsed.host === 'string') return { pid: parsed.pid!, host: parsed.host };
  } catch {
    // not a lock this code wrote
  }
  return undefined;
}

/** Whether the process that wrote `holder` is gone: only knowable on the same host. */
function dead(holder: Holder, path: string): boolean {
  if (holder.host !== hostname()) return false;
  // A pid recycled to this very process (common in containers, where pids restart low) is not the holder.
  if (holder.pid === process.pid) return !held.has(path);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    // EPERM: a live process of another user.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Creates the lock whole or not at all: written aside, then hard-linked into place (which fails if it exists). */
async function create(path: string, holder: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.new`;
  await writeDurably(temp, 'w', (file) => file.writeFile(holder));
  try {
    await link(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Takes the exclusive lock of a state directory (which must exist): one state
 * directory, one process, so that two services never charge one budget twice.
 * Throws `STATE_LOCKED` while a live process (or one on another host, whose
 * liveness cannot be checked) holds it. A stale lock is moved aside by an atomic
 * rename to a name of this process, checked again there (another process may
 * have replaced it meanwhile; then it is put back) and removed.
 *
 * @example
 * ```ts
 * const lock = await lockStateDir(dir);
 * try { await serve(); } finally { await lock.release(); }
 * ```
 */
export async function lockStateDir(dir: string): Promise<StateLock> {
  const path = join(resolve(dir), LOCK_FILE);
  const me = JSON.stringify({ pid: process.pid, host: hostname() } satisfies Holder);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await create(path, me)) {
      held.add(path);
      const onExit = () => releaseSync(path, me);
      process.once('exit', onExit);
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          held.delete(path);
          process.off('exit', onExit);
          if ((await readFile(path, 'utf8').catch(() => '')) === me) await unlink(path).catch(() => undefined);
        },
      };
    }
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : ''));
    if (text === undefined) continue; // released meanwhile
    const holder = holderOf(text);
    if (holder === undefined || !dead(holder, path)) {
      const who = holder === undefined ? 'an unreadable lock' : `process ${holder.pid} on ${holder.host}`;
      throw new PsiError(
        'STATE_LOCKED',
        `the state directory ${dir} is in use by ${who}: one state directory serves one process (remove ${path} only if that process is gone)`,
      );
    }
    const aside = `${path}.${process.pid}.stale`;
    try {
      await rename(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = await readFile(aside, 'utf8');
    // Another process took the stale lock over between our read and our rename: give its lock back.
    if (moved !== text) await rename(aside, path);
    else await unlink(aside);
  }
  throw new PsiError('STATE_LOCKED', `the state directory ${dir} changed hands while it was being locked; retry`);
}

function releaseSync(path: string, me: string): void {
  try {
    if (readFileSync(path, 'utf8') === me) unlinkSync(path);
  } catch {
    // already gone
  }
}
