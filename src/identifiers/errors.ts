import { PsiError, type PsiErrorCode } from '../errors.js';

/**
 * An identifier (or a file of them) that cannot be turned into matchable
 * bytes. `code` says what was wrong, e.g. `'EMAIL_INVALID'`,
 * `'PHONE_COUNTRY_REQUIRED'`, `'CSV_COLUMN_MISSING'`; `message` says where.
 *
 * @example
 * ```ts
 * try { normalize('not an email', 'email'); }
 * catch (e) { if (e instanceof IdentifierError) console.log(e.code); } // 'EMAIL_INVALID'
 * ```
 */
export class IdentifierError extends PsiError {
  constructor(code: PsiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'IdentifierError';
  }
}
