import { mkdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { PsiError } from '../errors.js';
import { matchedRowsCsv, type SessionResult } from './result.js';

/**
 * `mkdir -p` one level at a time. Node's own recursive mkdir never returns on
 * some pseudo file systems (it loops on /proc, which answers ENOENT for a
 * directory whose parent exists), and a service must fail instead of spinning.
 *
 * @example
 * ```ts
 * await makeDirectory('results/audiences/acme');
 * ```
 */
export async function makeDirectory(dir: string, depth = 0): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw e;
    await makeDirectory(parent, depth + 1);
    try {
      await mkdir(dir);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw again;
    }
  }
}

/**
 * Writes a session's result into `dir`: `<stamp>-<session>.matches.csv`
 * (`line,value`, when rows were learnt) and then `<stamp>-<session>.summary.json`.
 * Each file appears atomically, and the summary last, so a summary's presence
 * means its session's result is complete. Returns the summary's path.
 *
 * @example
 * ```ts
 * const path = await writeSessionResult('results', { summary, rows });
 * ```
 */
export async function writeSessionResult(dir: string, result: SessionResult): Promise<string> {
  const { summary, rows } = result;
  const stamp = summary.finishedAt.replace(/[-:.]/g, '');
  const base = `${stamp}-${summary.sessionId}`;
  try {
    await makeDirectory(dir);
    let written = summary;
    if (rows !== undefined) {
      const rowsFile = `${base}.matches.csv`;
      await writeFileAtomic(join(dir, rowsFile), matchedRowsCsv(rows, summary.columns));
      written = { ...summary, rowsFile };
    }
    const path = join(dir, `${base}.summary.json`);
    await writeFileAtomic(path, `${JSON.stringify(written, null, 2)}\n`);
    return path;
  } catch (e) {
    throw new PsiError('RESULT_WRITE_FAILED', `cannot write session result to ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Creates `dir` and writes, flushes and removes a probe file in it, within
 * `timeoutMs`, so that a service refuses to start rather than spend each
 * session's work and quota before finding it cannot store the result.
 * Rejects with `OUT_DIR_UNUSABLE`.
 *
 * @example
 * ```ts
 * await prepareOutDir('results'); // before accepting any session
 * ```
 */
export async function prepareOutDir(dir: string, timeoutMs = 5_000): Promise<void> {
  const probe = join(dir, `.blindjoin-probe-${process.pid}`);
  const attempt = (async () => {
    await makeDirectory(dir);
    await writeFileAtomic(probe, 'probe\n');
    await unlink(probe);
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the file system within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([attempt, timeout]);
  } catch (e) {
    attempt.catch(() => undefined);
    throw new PsiError('OUT_DIR_UNUSABLE', `cannot write results to ${dir}: ${(e as Error).message}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}
