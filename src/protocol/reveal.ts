/**
 * The two sides of a session: the initiator speaks first.
 *
 * @example
 * ```ts
 * const role: Role = 'responder';
 * ```
 */
export type Role = 'initiator' | 'responder';
