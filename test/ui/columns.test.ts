import { describe, expect, it } from 'vitest';
import { amountOf, checkColumns, countryColumnOf, guessRoles, keyColumns, offered, valueColumnsOf } from '../../src/ui/columns.js';

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
      ['1', 'ann@example.com', '+44 20 7946 0123', 'gold'],
      ['2', 'bob@example.org', '(415) 555-0123', 'silver'],
      ['3', '', '415.555.0199', ''],
    ];
    expect(guessRoles(['id', 'col2', 'col3', 'tier'], samples, { defaultCountry: 'US' })).toEqual([null, 'email', 'phone', null]);
  });

  it('never takes dates for phone numbers, by header or by cells', () => {
    const header = ['Email', 'Last Purchase Date', 'Phone Date', 'col4'];
    const samples = Array.from({ length: 20 }, (_, i) => [`a${i}@example.com`, `2026-03-${10 + i}`, `2026-03-${10 + i}`, `15/03/2026`]);
    expect(guessRoles(header, samples, { defaultCountry: 'US' })).toEqual(['email', null, null, null]);
    const checks = checkColumns(header, samples, { defaultCountry: 'US' });
    expect(checks[1]!.shares.phone).toBe(0);
    expect(offered(checks[1], 'phone')).toBe(false);
    expect(offered(checks[0], 'email')).toBe(true);
  });

  it("reads each phone with its row's country, so national numbers of several countries all count", () => {
    const header = ['Phone Number', 'Country'];
    const samples = [
      ['020 7946 0123', 'United Kingdom'],
      ['(415) 555-0123', 'US'],
      ['030 901820', 'DE'],
    ];
    expect(checkColumns(header, samples, { defaultCountry: 'US' })[0]!.shares.phone).toBe(1);
    expect(checkColumns(['Phone Number'], samples, { defaultCountry: 'US' })[0]!.shares.phone).toBeCloseTo(1 / 3);
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
    expect(guessRoles(['email', 'email2', 'first_name', 'fname', 'surname', 'zip', 'phone', 'work phone'], [])).toEqual([
      'email',
      'email',
      'first_name',
      null,
      'last_name',
      'zip',
      'phone',
      'phone',
    ]);
    // Names without a postcode are no key: not guessed at all, so Match is not stopped by half a composite.
    expect(guessRoles(['email', 'First Name', 'Zip', 'Country'], [])).toEqual(['email', null, null, 'country']);
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

  it('takes a country column alone as the country of phone numbers, not as a key', () => {
    expect(keyColumns(['Phone', 'Country'], ['phone', 'country'])).toEqual([{ name: 'Phone', type: 'phone' }]);
    expect(countryColumnOf(['Phone', 'Country'], ['phone', 'country'])).toBe('Country');
    expect(countryColumnOf(['Phone'], ['phone'])).toBeUndefined();
  });

  it('explains an assignment that gives no key or half a composite', () => {
    expect(() => keyColumns(['id'], [null])).toThrow(/at least one identifier/);
    expect(() => keyColumns(['email', 'fn'], ['email', 'first_name'])).toThrow(/also mark last name, zip/);
    expect(() => keyColumns(['a', 'b', 'c', 'd'], ['first_name', 'first_name', 'last_name', 'zip'])).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID', message: expect.stringMatching(/two columns are marked first name/) }),
    );
  });
});

describe('amounts to sum', () => {
  it('reads amounts as exports write them, rounded to the unit, and refuses what is not one', () => {
    expect(['1234.50', '$1,234.50', '1.234,50', '12,5', '1,234', '1.234.567', '0', '€ 7'].map(amountOf)).toEqual([
      1235, 1235, 1235, 13, 1234, 1234567, 0, 7,
    ]);
    for (const cell of ['abc', '-5', '2026-03-15', '', '1e5']) expect(amountOf(cell)).toBeUndefined();
  });

  it('marks amount columns apart from the keys', () => {
    expect(valueColumnsOf(['Email', 'LTV'], ['email', 'value'])).toEqual(['LTV']);
    expect(keyColumns(['Email', 'LTV'], ['email', 'value'])).toEqual([{ name: 'Email', type: 'email' }]);
    expect(guessRoles(['Email', 'Lifetime Value ($)'], [['a@example.com', '12.50']])).toEqual(['email', null]);
  });
});
