import { Readable } from 'node:stream';
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { checkProfile, checkType } from '../../src/identifiers/checks.js';
import { phoneCountry } from '../../src/identifiers/phone.js';
import { COMPOSITE_FIELDS, COMPOSITE_SEPARATOR } from '../../src/identifiers/composite.js';
import { readIdentifierColumn } from '../../src/identifiers/csv.js';
import { keyItem, psiItem, type PsiItemOptions } from '../../src/identifiers/item.js';
import { normalize, normalizeWith } from '../../src/identifiers/normalize.js';
import { planIdentifiers, resolveRules, type IdentifierPlan, type NormalizeRules } from '../../src/identifiers/plan.js';
import { rowKeys, type KeyColumn } from '../../src/identifiers/row-keys.js';
import { IDENTIFIER_TYPES, type IdentifierType } from '../../src/identifiers/types.js';
import { unplannedItem, unplannedNormalize, unplannedRowKeys } from './unplanned.js';

// Resolving the options once into a plan and normalising under it must give
// what checking the raw options on every call gave (unplanned.ts): the same
// text, item or key for every value, and the same refusal (code and message)
// for every bad option or value, in the same order of precedence.

/** A result or a refusal, comparable with toEqual. */
type Outcome = { value: unknown } | { code: string; message: string };

function outcome(fn: () => unknown): Outcome {
  try {
    const value = fn();
    return { value: value instanceof Uint8Array ? bytesToHex(value) : value };
  } catch (e) {
    if (!(e instanceof PsiError)) throw e;
    return { code: e.code, message: e.message };
  }
}

// Options as a JavaScript caller may pass them: typed as the options, holding anything.
const profileOption = fc.constantFrom<unknown>(undefined, 'meta', 'google', 'uid2', 'pair', 'bing', 'META', '', 7);
const countryOption = fc.constantFrom<unknown>(undefined, 'US', 'us', ' gb ', 'DE', 'FR', 'ZZ', '', 'USA', 44);
const typeOption = fc.constantFrom<unknown>(...IDENTIFIER_TYPES, 'sha256', 'raw', 'Email', undefined) as fc.Arbitrary<IdentifierType>;
const hashOfOption = fc.constantFrom<unknown>(undefined, 'email', 'phone', 'name_zip', 'sha256', 'bogus') as fc.Arbitrary<IdentifierType>;
const options = fc.record(
  { profile: profileOption, defaultCountry: countryOption, hashOf: hashOfOption },
  { requiredKeys: [] },
) as fc.Arbitrary<PsiItemOptions>;

/** Values written the ways customer files hold them, per type: most normalise, some only under some profiles or countries. */
const WRITTEN: Readonly<Record<string, readonly string[]>> = {
  email: [' Jane.Doe+news@GMAIL.com ', 'ann@example.com', 'Émile@Bücher.example', 'not an email'],
  phone: ['(650) 555-1212', '+44 7911 123456', '1-234-567-8910', '0650 555 1212', '07911 123456', '+1234567890'],
  name: ['Mrs. Mary-Ann', 'Dr. John', "O'Brien, Jr.", 'Zoë', 'Christopher', 'Smith III'],
  zip: ['94035-1234', 'SW1A 1AA', '10115', 'K1A 0B1'],
  country: ['United States', 'gb', 'DE', 'Frankreich'],
  city: ['Palo Alto', 'São Paulo', 'St. Louis'],
  state: ['CA', 'California', 'ny'],
  dob: ['1990-02-28', '19900228', '02/28/1990'],
  gender: ['F', 'male', 'x'],
  external_id: ['ABC 123', 'user-42'],
  maid: ['cdda802e-fb9c-47ad-9ff6-ab5e7e1b2c3d', 'CDDA802E-FB9C-47AD-9FF6-AB5E7E1B2C3D'],
  part: ['1990', '02', '28', '2'],
  hashed: [
    'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514',
    'B4C9A289323B21A01C3E940F150EB9B8C542587F1ABFD8F0E1CC1FFC5E475514 ',
  ],
  bad: ['', '   ', 'bad\u0007text'],
};
const written = (kind: string) => fc.constantFrom(...WRITTEN[kind]!);
const fieldOf: Readonly<Record<string, string>> = { first_name: 'name', last_name: 'name', zip: 'zip', country: 'country' };

/** Any cell, whatever the type. */
const field = fc.oneof(fc.constantFrom(...Object.values(WRITTEN).flat()), fc.string({ maxLength: 12 }));

/** A value written for `type` (a composite's fields each written for theirs), or now and then any cell. */
function valueFor(type: unknown): fc.Arbitrary<string> {
  const kind = (
    {
      email: 'email',
      phone: 'phone',
      first_name: 'name',
      last_name: 'name',
      fi: 'name',
      f5first: 'name',
      f5last: 'name',
      city: 'city',
      state: 'state',
      zip: 'zip',
      country: 'country',
      dob: 'dob',
      gender: 'gender',
      external_id: 'external_id',
      maid: 'maid',
      doby: 'part',
      dobm: 'part',
      dobd: 'part',
      sha256: 'hashed',
    } as Record<string, string>
  )[type as string];
  const composite = COMPOSITE_FIELDS[type as keyof typeof COMPOSITE_FIELDS];
  const fitting =
    composite !== undefined
      ? fc.tuple(...composite.map((f) => written(fieldOf[f]!))).map((fields) => fields.join(COMPOSITE_SEPARATOR))
      : kind === undefined
        ? field
        : written(kind);
  return fc.oneof(
    { arbitrary: fitting, weight: 4 },
    { arbitrary: field, weight: 1 },
    {
      arbitrary: fc.array(field, { minLength: 2, maxLength: 5 }).map((f) => f.join(COMPOSITE_SEPARATOR)),
      weight: 1,
    },
  );
}
/** A type and a value for it. */
const typedValue = typeOption.chain((type) => valueFor(type).map((v) => [type, v] as const));

describe('an identifier plan', () => {
  it('normalises as the raw options checked at every level did, refusals included', () => {
    fc.assert(
      fc.property(typedValue, options, ([type, v], opts) => {
        const expected = outcome(() => unplannedNormalize(v, type, opts));
        expect(outcome(() => normalize(v, type, opts))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('resolved once, normalises every value of a batch as the per-call checks did', () => {
    fc.assert(
      fc.property(options, fc.array(typedValue, { minLength: 1, maxLength: 20 }), (opts, batch) => {
        let rules: NormalizeRules | PsiError;
        try {
          rules = resolveRules(opts);
        } catch (e) {
          rules = e as PsiError;
        }
        for (const [type, v] of batch) {
          const expected = outcome(() => unplannedNormalize(v, type, opts));
          const planned = outcome(() => {
            const kind = checkType(type);
            if (rules instanceof PsiError) throw rules;
            return normalizeWith(v, kind, rules);
          });
          expect(planned).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives the items psiItem gave, for raw and pre-hashed values, through psiItem and through a planned key', () => {
    fc.assert(
      fc.property(typedValue, options, ([type, v], opts) => {
        const expected = outcome(() => unplannedItem(type, v, opts));
        expect(outcome(() => psiItem(type, v, opts))).toEqual(expected);
        // A column of the same type, once planned, gives each value the same item or the same refusal. (A plan
        // also checks hashOf for every type, which psiItem does only for sha256: plans refused are the rowKeys
        // property's.)
        let plan: IdentifierPlan;
        try {
          plan = planIdentifiers([{ name: 'c', type }], opts, 'OPTIONS_INVALID');
        } catch {
          return;
        }
        expect(outcome(() => keyItem(plan.keys[0]!, v, plan.rules))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  const columnName = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const keyColumn: fc.Arbitrary<KeyColumn> = fc.oneof(
    fc.record({ name: columnName, type: typeOption.filter((t) => (t as string) !== 'raw') }) as fc.Arbitrary<KeyColumn>,
    fc.record({ name: columnName, type: fc.constant('sha256'), hashOf: hashOfOption }) as fc.Arbitrary<KeyColumn>,
    fc
      .tuple(fc.constantFrom('name_zip', 'name_zip_country') as fc.Arbitrary<keyof typeof COMPOSITE_FIELDS>, fc.boolean())
      .chain(([type, right]) =>
        fc.record({
          names: fc.array(columnName, right ? { minLength: COMPOSITE_FIELDS[type].length, maxLength: COMPOSITE_FIELDS[type].length } : {}),
          type: fc.constant(type),
        }),
      ) as fc.Arbitrary<KeyColumn>,
    fc.record({ name: columnName, type: fc.constant('email'), hashOf: fc.constant('phone') }) as fc.Arbitrary<KeyColumn>,
    fc.record({ names: fc.array(columnName, { maxLength: 2 }), type: fc.constant('zip') }) as fc.Arbitrary<KeyColumn>,
  );
  /** Key columns and a record whose cells are mostly written for them (any cell, or none, now and then). */
  const columnsAndRecord = fc.array(keyColumn, { maxLength: 4 }).chain((columns) => {
    const cells: Record<string, fc.Arbitrary<string>> = {};
    for (const c of columns) {
      const composite = COMPOSITE_FIELDS[c.type as keyof typeof COMPOSITE_FIELDS];
      (c.names ?? [c.name]).forEach((name, i) => {
        if (typeof name !== 'string') return;
        const f = composite?.[i];
        cells[name] = f === undefined ? valueFor(c.type) : fc.oneof(written(fieldOf[f]!), field);
      });
    }
    const fitting = fc.record(Object.fromEntries(Object.entries(cells).map(([n, a]) => [n, fc.option(a, { nil: undefined, freq: 6 })])));
    const any = fc.dictionary(columnName, fc.option(field, { nil: undefined }));
    return fc.tuple(
      fc.constant(columns),
      fc.tuple(any, fitting).map(([a, f]) => ({ ...a, ...f })),
    );
  });

  it('gives every row the keys and problems rowKeys gave, and refuses the same columns and options', () => {
    fc.assert(
      fc.property(columnsAndRecord, options, ([columns, r], opts) => {
        const expected = outcome(() => unplannedRowKeys(r, columns, opts));
        const actual = outcome(() => rowKeys(r, columns, opts));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a CSV column as psiItem read each cell with the raw options, options refused before any row', async () => {
    const quoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
    const columnType = fc.constantFrom<unknown>(
      'email',
      'phone',
      'first_name',
      'zip',
      'name_zip',
      'sha256',
      'raw',
      'bogus',
    ) as fc.Arbitrary<IdentifierType | 'sha256' | 'raw'>;
    const typedCells = columnType.chain((type) => fc.tuple(fc.constant(type), fc.array(valueFor(type), { minLength: 1, maxLength: 8 })));
    await fc.assert(
      fc.asyncProperty(typedCells, options, async ([type, cells], opts) => {
        const csv = ['id,v', ...cells.map((c, i) => `${i},${quoted(c)}`)].join('\n');
        let got: Outcome;
        try {
          const col = await readIdentifierColumn(Readable.from([csv]), { column: 'v', type, ...opts });
          got = { value: { items: col.items.map(bytesToHex), rejected: col.rejected.map((r) => `${r.code}: ${r.reason}`) } };
        } catch (e) {
          if (!(e instanceof PsiError)) throw e;
          got = { code: e.code, message: e.message };
        }
        const expected = outcome(() => {
          // The options as the reader checked them: the column's type, then profile, country and hashOf.
          if (type !== 'sha256' && type !== 'raw') checkType(type);
          checkProfile(opts.profile);
          phoneCountry(opts.defaultCountry);
          checkType(opts.hashOf ?? 'email');
          const items: string[] = [];
          const rejected: string[] = [];
          cells.forEach((cell) => {
            if (cell.trim() === '') return rejected.push('EMPTY: column "v" is empty');
            const item = outcome(() => (type === 'raw' ? new TextEncoder().encode(cell.trim()) : unplannedItem(type, cell, opts)));
            if ('value' in item) items.push(item.value as string);
            else rejected.push(`${item.code}: column "v": ${item.message}`);
          });
          return { items, rejected };
        });
        expect(got).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });
});
