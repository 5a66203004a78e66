import { describe, expect, it } from 'vitest';
import { guessRoles, keyColumns } from '../../src/ui/columns.js';

describe('guessRoles', () => {
  it('reads the usual header spellings', () => {
    expect(
      guessRoles(['E-mail Address', 'Mobile Phone', 'First Name', 'Surname', 'Postal Code', 'Country Code', 'Customer ID'], []),
    ).toEqual(['email', 'phone', 'first_name', 'last_name', 'zip', 'country', null]);
    expect(guessRoles(['em', 'ph', 'fn', 'ln', 'zip', 'country'], [])).toEqual([
      'email',
      'phone',
      'first_name',
      'last_name',
      'zip',
      'country',
    ]);
  });

  it('falls back on the sample cells when the header says nothing', () => {
    const samples = [
      ['1', 'ann@example.com', '+44 7700 900123', 'gold'],
      ['2', 'bob@example.org', '(555) 010-9999', 'silver'],
      ['3', '', '555.010.1234', ''],
    ];
    expect(guessRoles(['id', 'col2', 'col3', 'tier'], samples)).toEqual([null, 'email', 'phone', null]);
  });

  it('does not take short numbers or mostly malformed cells for identifiers', () => {
    expect(
      guessRoles(
        ['a', 'b'],
        [
          ['12345', 'not an email'],
          ['99', 'x@y.z'],
        ],
      ),
    ).toEqual([null, null]);
  });

  it('allows several email and phone columns but one of each name role', () => {
    expect(guessRoles(['email', 'email2', 'first_name', 'fname', 'phone', 'work phone'], [])).toEqual([
      'email',
      'email',
      'first_name',
      null,
      'phone',
      'phone',
    ]);
  });
});

describe('keyColumns', () => {
  it('makes one key per email or phone column and one composite of names with postcode', () => {
    expect(keyColumns(['email', 'fn', 'ln', 'zip', 'phone'], ['email', 'first_name', 'last_name', 'zip', 'phone'])).toEqual([
      { name: 'email', type: 'email' },
      { name: 'phone', type: 'phone' },
      { names: ['fn', 'ln', 'zip'], type: 'name_zip' },
    ]);
    expect(keyColumns(['c', 'z', 'l', 'f'], ['country', 'zip', 'last_name', 'first_name'])).toEqual([
      { names: ['f', 'l', 'z', 'c'], type: 'name_zip_country' },
    ]);
  });

  it('explains an assignment that gives no key or half a composite', () => {
    expect(() => keyColumns(['id'], [null])).toThrow(/at least one identifier/);
    expect(() => keyColumns(['email', 'fn'], ['email', 'first_name'])).toThrow(/also mark last name, zip/);
    expect(() => keyColumns(['a', 'b', 'c', 'd'], ['first_name', 'first_name', 'last_name', 'zip'])).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID', message: expect.stringMatching(/two columns are marked first name/) }),
    );
  });
});
