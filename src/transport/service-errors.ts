import { PsiError, type PsiErrorCode } from '../errors.js';

/**
 * The two ways a session with a service fails outside the protocol: the
 * service said no, or no complete answer came back.
 * @module
 */

/**
 * The service answered with a refusal or a failure: `status` is its HTTP status
 * and `code` its error code (`SERVICE_REFUSED` when it sent none blindjoin knows).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ServiceError && e.status === 429) waitUntilTomorrow(); }
 * ```
 */
export class ServiceError extends PsiError {
  constructor(
    code: PsiErrorCode,
    message: string,
    readonly status: number,
  ) {
    super(code, message);
    this.name = 'ServiceError';
  }
}

/**
 * No complete answer came back (`SERVICE_UNREACHABLE` before the session
 * started, `SESSION_LOST` after), or the caller aborted (`ABORTED`).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ConnectionError) retryLater(); }
 * ```
 */
export class ConnectionError extends PsiError {
  constructor(code: PsiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ConnectionError';
  }
}
