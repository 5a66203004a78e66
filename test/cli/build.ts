import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The built executable, as installed by `npm install blindjoin`. */
export const CLI = join(ROOT, 'dist', 'cli.js');
const LOCK = join(ROOT, 'node_modules', '.cache', 'blindjoin-build.lock');

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

async function stale(): Promise<boolean> {
  const built = await stat(CLI).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const inputs = await Promise.all([newestSource(join(ROOT, 'src')), stat(join(ROOT, 'tsup.config.ts')).then((s) => s.mtimeMs)]);
  return built < Math.max(...inputs);
}

/** Runs `build` while holding the lock directory, so that one build of dist/ runs at a time across test workers. */
export async function withBuildLock(build: () => Promise<void>): Promise<void> {
  await mkdir(join(LOCK, '..'), { recursive: true });
  for (const started = Date.now(); ;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const age =
        Date.now() -
        (await stat(LOCK).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > 120_000 || Date.now() - started > 180_000) await rm(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await build();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** Builds dist/ with tsup when it is missing or older than any source, once at a time across test workers. */
export async function ensureBuilt(): Promise<void> {
  await withBuildLock(async () => {
    if (await stale()) await promisify(execFile)('npx', ['tsup'], { cwd: ROOT });
  });
}
