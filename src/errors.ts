/**
 * Every failure blindjoin reports on purpose is a {@link PsiError} with a stable,
 * machine-readable `code`. Callers branch on `code`, never on `message`.
 *
 * @example
 * ```ts
 * try { await party.step(frame); }
 * catch (e) { if (e instanceof PsiError && e.code === 'FRAME_TRUNCATED') retry(); }
 * ```
 */
export class PsiError extends Error {
  /** Stable identifier of the failure, e.g. `'MODE_MISMATCH'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PsiError';
    this.code = code;
  }
}

/**
 * Wraps anything thrown by `fn` that is not already a {@link PsiError}, so that
 * parsers of untrusted bytes never leak a `TypeError`/`RangeError` to callers.
 *
 * @example
 * ```ts
 * const point = asPsiError('POINT_INVALID', 'bad point', () => decode(bytes));
 * ```
 */
export function asPsiError<T>(code: string, message: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PsiError) throw e;
    throw new PsiError(code, message, { cause: e });
  }
}
