import { PsiError } from '../src/errors.js';

/** What a call that was expected to fail did instead of throwing. */
export const ACCEPTED = 'accepted';

function codeOfError(e: unknown): string {
  if (e instanceof PsiError) return e.code;
  throw new Error(`expected a PsiError, got ${String(e)}`, { cause: e });
}

/**
 * The code of the PsiError `fn` throws, or {@link ACCEPTED} when it returns; any
 * other throw fails the test. The one helper every test uses for error codes.
 */
export function syncCodeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return codeOfError(e);
  }
  return ACCEPTED;
}

/** {@link syncCodeOf} for a promise, or a function that may return one. */
export async function codeOf(work: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (e) {
    return codeOfError(e);
  }
  return ACCEPTED;
}
