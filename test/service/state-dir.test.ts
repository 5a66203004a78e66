import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServiceState } from '../../src/service/state.js';
import { defaultStateDir } from '../../src/service/state-dir.js';
import { LOCK_FILE } from '../../src/service/state-lock.js';
import { emailServeArgs, serveChild, type ServeChild } from '../cli/serve-child.js';

let dir: string;
let csv: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-state-dir-'));
  csv = join(dir, 'users.csv');
  await writeFile(csv, `email\n${Array.from({ length: 20 }, (_, i) => `u${i}@example.com`).join('\n')}\n`);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** `blindjoin serve` from the sources in a child process, from `cwd`, with `env` added to a clean state environment. */
function serve(cwd: string, env: Record<string, string>, ...args: string[]): ServeChild {
  const { BLINDJOIN_STATE_DIR: _own, XDG_STATE_HOME: _xdg, ...rest } = process.env;
  const served = serveChild([...emailServeArgs(csv), ...args], { cwd, env: { ...rest, ...env } });
  children.add(served.child);
  void served.exited.then(() => children.delete(served.child));
  return served;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('one state directory, one process', () => {
  it('refuses a second service on the same --state-dir with STATE_LOCKED, and a kill -9 of the first does not block a restart', async () => {
    const state = join(dir, 'shared');
    const first = serve(dir, {}, '--state-dir', state);
    expect(await first.started).toHaveProperty('url');
    const lock = JSON.parse(await readFile(join(state, LOCK_FILE), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(first.child.pid);

    const second = await serve(dir, {}, '--state-dir', state).started;
    expect(second).toMatchObject({ code: 1 });
    expect((second as { stderr: string }).stderr).toContain('STATE_LOCKED');

    first.child.kill('SIGKILL');
    await exited(first.child);
    const third = serve(dir, {}, '--state-dir', state);
    expect(await third.started).toHaveProperty('url');
    third.child.kill('SIGTERM');
    await exited(third.child);
    // A clean stop leaves no lock behind.
    await expect(readFile(join(state, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('locks in the library too: a second openServiceState in this process is refused until the first closes', async () => {
    const state = join(dir, 'library');
    const first = await openServiceState(state);
    await expect(openServiceState(state)).rejects.toMatchObject({ code: 'STATE_LOCKED' });
    await first.close();
    const again = await openServiceState(state);
    await again.close();
  });

  it('takes over a lock whose process is gone, and keeps one held by a live process', async () => {
    const state = join(dir, 'stale');
    await mkdir(state, { recursive: true });
    const { hostname } = await import('node:os');
    const gone = spawn(process.execPath, ['-e', '']);
    await exited(gone);
    await writeFile(join(state, LOCK_FILE), JSON.stringify({ pid: gone.pid, host: hostname() }));
    const taken = await openServiceState(state);
    await taken.close();
    // The parent of this process is alive: its lock stands.
    await writeFile(join(state, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname() }));
    await expect(openServiceState(state)).rejects.toMatchObject({ code: 'STATE_LOCKED' });
    // So does one from another host, whose liveness cannot be checked from here.
    await writeFile(join(state, LOCK_FILE), JSON.stringify({ pid: gone.pid, host: `not-${hostname()}` }));
    await expect(openServiceState(state)).rejects.toMatchObject({ code: 'STATE_LOCKED' });
  });
});

describe('what the state directory keeps', () => {
  it('keeps the noise key across a restart, refuses a key of the wrong size or readable by others, and leaves no stray files', async () => {
    const state = join(dir, 'noise');
    const first = await openServiceState(state);
    const key = Buffer.from(first.noiseKey).toString('hex');
    await first.close();
    const again = await openServiceState(state);
    expect(Buffer.from(again.noiseKey).toString('hex')).toBe(key);
    await again.close();
    // Only the ledger and the key: the lock went with close(), its temporary and stale files never stay.
    expect((await readdir(state)).sort()).toEqual(['ledger.json', 'noise.key']);

    await chmod(join(state, 'noise.key'), 0o644);
    await expect(openServiceState(state)).rejects.toMatchObject({ code: 'LEDGER_CORRUPT' });
    await writeFile(join(state, 'noise.key'), new Uint8Array(31), { mode: 0o600 });
    await chmod(join(state, 'noise.key'), 0o600);
    await expect(openServiceState(state)).rejects.toMatchObject({ code: 'LEDGER_CORRUPT' });
    // A refused start leaves the directory unlocked.
    expect(await readdir(state)).not.toContain(LOCK_FILE);
  });
});

describe('the default state directory', () => {
  it('is $BLINDJOIN_STATE_DIR, else $XDG_STATE_HOME/blindjoin, else ~/.local/state/blindjoin', () => {
    expect(defaultStateDir({ BLINDJOIN_STATE_DIR: '/srv/bj', XDG_STATE_HOME: '/x' })).toBe('/srv/bj');
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' })).toBe('/x/state/blindjoin');
    // The XDG specification says a relative path is invalid and is to be ignored.
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative' })).toBe(join(homedir(), '.local', 'state', 'blindjoin'));
    expect(defaultStateDir({})).toBe(join(homedir(), '.local', 'state', 'blindjoin'));
  });

  it('does not depend on the working directory: services started from two directories share one (and its lock)', async () => {
    const home = join(dir, 'home');
    const [a, b] = [join(dir, 'cwd-a'), join(dir, 'cwd-b')];
    await Promise.all([mkdir(home), mkdir(a), mkdir(b)]);
    const first = serve(a, { HOME: home });
    expect(await first.started).toHaveProperty('url');
    const lock = join(home, '.local', 'state', 'blindjoin', LOCK_FILE);
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: first.child.pid });
    const second = await serve(b, { HOME: home }).started;
    expect((second as { stderr: string }).stderr).toContain('STATE_LOCKED');
    first.child.kill('SIGTERM');
    await exited(first.child);
  });
});
