import { IdentifierError } from './errors.js';

const UUID = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/;

/**
 * Normalises a mobile advertising ID (Apple IDFA, Google AAID), both UUIDs,
 * to Meta's form: lowercase with hyphens (32 hex digits without hyphens get
 * them). The all-zero ID is what a device reports when the user has limited
 * ad tracking, so it identifies nobody and is rejected.
 *
 * @example
 * ```ts
 * normalizeMaid('AECE52E7-03EE-455A-B3C4-E57283966239'); // 'aece52e7-03ee-455a-b3c4-e57283966239'
 * ```
 */
export function normalizeMaid(text: string): string {
  const m = UUID.exec(text.toLowerCase());
  if (m === null) throw new IdentifierError('MAID_INVALID', 'mobile advertising ID must be a UUID (IDFA or AAID)');
  const id = m.slice(1, 6).join('-');
  if (/^[0-]+$/.test(id)) throw new IdentifierError('MAID_INVALID', 'mobile advertising ID is all zeros (ad tracking limited)');
  return id;
}
