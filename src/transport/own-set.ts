import { PsiError } from '../errors.js';

/**
 * The client's own set as the caller gives it (items, or rows of possibly
 * typed keys) and as the party takes it: typed keys of a type the service does
 * not match on left out.
 * @module
 */

/**
 * One key of a row given to `matchWith`: a PSI item, or one tagged with its
 * identifier type (`psiItem(type, value)` as `item`).
 *
 * @example
 * ```ts
 * const key: RowKeyInput = { type: 'phone', item: psiItem('phone', '+16505551234') };
 * ```
 */
export type RowKeyInput = string | Uint8Array | { readonly type: string; readonly item: Uint8Array };

/**
 * What the caller gives: exactly one of `items` and `rows`.
 *
 * @example
 * ```ts
 * const given: GivenSet = { rows: [[{ type: 'email', item }], ['ann@example.com']] };
 * ```
 */
export interface GivenSet {
  items?: readonly (string | Uint8Array)[] | undefined;
  rows?: readonly (readonly RowKeyInput[])[] | undefined;
}

/**
 * What the party takes.
 *
 * @example
 * ```ts
 * const set: OwnSet = { items: ['ann@example.com'] };
 * ```
 */
export type OwnSet = { items: readonly (string | Uint8Array)[] } | { rows: (string | Uint8Array)[][] };

/**
 * Refuses anything but exactly one of `items` and `rows`, and rows that are not arrays.
 *
 * @example
 * ```ts
 * checkGivenSet({ items: [] }); // fine
 * ```
 */
export function checkGivenSet(given: GivenSet): void {
  if ((given.items === undefined) === (given.rows === undefined))
    throw new PsiError('OPTIONS_INVALID', 'give exactly one of items and rows');
  if (given.rows !== undefined && !given.rows.every((row) => Array.isArray(row))) {
    throw new PsiError('ITEMS_INVALID', 'rows must be an array of arrays of keys');
  }
}

/**
 * Whether a row key carries its identifier type.
 *
 * @example
 * ```ts
 * isTyped({ type: 'email', item }); // true
 * ```
 */
export function isTyped(key: RowKeyInput): key is Exclude<RowKeyInput, string | Uint8Array> {
  return typeof key === 'object' && key !== null && !(key instanceof Uint8Array);
}

/**
 * Whether any row has a typed key (then the service's `keyTypes` are needed).
 *
 * @example
 * ```ts
 * hasTypedKeys({ items: ['a'] }); // false
 * ```
 */
export function hasTypedKeys(given: GivenSet): boolean {
  return given.rows?.some((row) => row.some(isTyped)) ?? false;
}

/**
 * The one own set the caller gave, its typed keys outside the service's
 * `keyTypes` left out (and their types named).
 *
 * @example
 * ```ts
 * ownSet({ rows: [[{ type: 'phone', item }]] }, ['email']); // { set: { rows: [[]] }, leftOut: ['phone'] }
 * ```
 */
export function ownSet(given: GivenSet, keyTypes: readonly string[] | undefined): { set: OwnSet; leftOut: string[] } {
  if (given.rows === undefined) return { set: { items: given.items! }, leftOut: [] };
  const leftOut = new Set<string>();
  const rows = given.rows.map((row) =>
    row.flatMap((key): (string | Uint8Array)[] => {
      if (!isTyped(key)) return [key];
      if (keyTypes === undefined || keyTypes.includes(key.type)) return [key.item];
      leftOut.add(key.type);
      return [];
    }),
  );
  return { set: { rows }, leftOut: [...leftOut] };
}
