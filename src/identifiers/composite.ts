import { IdentifierError } from './errors.js';
import type { CompositeType, IdentifierType } from './types.js';

/**
 * Joins the normalised fields of a composite key. U+001F (INFORMATION
 * SEPARATOR ONE, the "unit separator") is a control character, which no
 * field can hold: every value is refused with `VALUE_INVALID` if it has one.
 * So the joined form splits back into exactly its fields, and two different
 * field lists never join to the same text.
 *
 * @example
 * ```ts
 * ['john', 'smith', '94035'].join(COMPOSITE_SEPARATOR); // 'john\u001fsmith\u001f94035'
 * ```
 */
export const COMPOSITE_SEPARATOR = '\u001f';

/**
 * The fields of each composite type, in the order they are joined. Google
 * Customer Match's address match keys on first name, last name, country and
 * postcode; `name_zip` is the same key for files without a country.
 *
 * @example
 * ```ts
 * COMPOSITE_FIELDS.name_zip; // ['first_name', 'last_name', 'zip']
 * ```
 */
export const COMPOSITE_FIELDS: Readonly<Record<CompositeType, readonly IdentifierType[]>> = Object.freeze({
  name_zip: Object.freeze(['first_name', 'last_name', 'zip'] as const),
  name_zip_country: Object.freeze(['first_name', 'last_name', 'zip', 'country'] as const),
});

/**
 * Whether `type` is a composite type (several fields matched as one key).
 *
 * @example
 * ```ts
 * isComposite('name_zip'); // true
 * isComposite('zip');      // false
 * ```
 */
export function isComposite(type: IdentifierType): type is CompositeType {
  return Object.hasOwn(COMPOSITE_FIELDS, type);
}

/**
 * The raw value of a composite key, for {@link normalize} and `psiItem`:
 * its fields, given in order or by field type, joined with
 * {@link COMPOSITE_SEPARATOR}. Nothing is normalised here.
 *
 * @example
 * ```ts
 * const value = compositeKey('name_zip', { first_name: 'John', last_name: 'Smith', zip: '94035-1234' });
 * normalize(value, 'name_zip'); // 'john\u001fsmith\u001f94035'
 * psiItem('name_zip', compositeKey('name_zip', ['John', 'Smith', '94035'])); // one PSI item
 * ```
 */
export function compositeKey(type: CompositeType, fields: readonly string[] | Readonly<Record<string, string>>): string {
  const names = COMPOSITE_FIELDS[type];
  if (names === undefined) throw new IdentifierError('TYPE_UNKNOWN', `${JSON.stringify(type)} is not a composite type`);
  const values = Array.isArray(fields) ? fields : names.map((f) => (fields as Readonly<Record<string, string>>)[f]);
  if (values.length !== names.length || values.some((v) => typeof v !== 'string')) {
    throw new IdentifierError('COMPOSITE_INVALID', `${type} takes ${names.length} strings: ${names.join(', ')}`);
  }
  return values.join(COMPOSITE_SEPARATOR);
}

/**
 * Normalises a composite value field by field with `normalizeField` and
 * joins the results. A field that fails throws its own code (e.g.
 * `ZIP_INVALID`) with the field named; a value that does not split into the
 * type's fields is `COMPOSITE_INVALID`.
 *
 * @example
 * ```ts
 * normalizeComposite('John\u001fSmith\u001f94035', 'name_zip', (v, t) => normalize(v, t)); // 'john\u001fsmith\u001f94035'
 * ```
 */
export function normalizeComposite(
  value: unknown,
  type: CompositeType,
  normalizeField: (value: string, type: IdentifierType) => string,
): string {
  if (typeof value !== 'string') {
    throw new IdentifierError('VALUE_INVALID', `${type} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  const names = COMPOSITE_FIELDS[type];
  const parts = value.split(COMPOSITE_SEPARATOR);
  if (parts.length !== names.length) {
    throw new IdentifierError(
      'COMPOSITE_INVALID',
      `${type} needs ${names.length} fields (${names.join(', ')}) joined by U+001F; got ${parts.length}`,
    );
  }
  return parts
    .map((part, i) => {
      try {
        return normalizeField(part, names[i]!);
      } catch (e) {
        if (e instanceof IdentifierError) throw new IdentifierError(e.code, `${type}: ${e.message}`, { cause: e });
        throw e;
      }
    })
    .join(COMPOSITE_SEPARATOR);
}
