import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { PsiError } from '../errors.js';
import { matchedRowsCsv, type SessionResult } from './result.js';

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
    await mkdir(dir, { recursive: true });
    let written = summary;
    if (rows !== undefined) {
      const rowsFile = `${base}.matches.csv`;
      await writeFileAtomic(join(dir, rowsFile), matchedRowsCsv(rows));
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
    await mkdir(dir, { recursive: true });
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
