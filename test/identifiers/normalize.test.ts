import { describe, expect, it } from 'vitest';
import { hashIdentifier, IdentifierError, normalize, type IdentifierType, type NormalizeOptions } from '../../src/core.js';
import { syncCodeOf } from '../codes.js';

/** The code `normalize` refuses a value with. */
const codeOf = (value: unknown, type: unknown, opts?: NormalizeOptions): string =>
  syncCodeOf(() => normalize(value as string, type as IdentifierType, opts));

describe('email', () => {
  const gmail = ' John.Doe+News@GoogleMail.com ';
  it('applies each profile its own Gmail rule', () => {
    expect(normalize(gmail, 'email')).toBe('john.doe+news@googlemail.com');
    expect(normalize(gmail, 'email', { profile: 'google' })).toBe('johndoe@googlemail.com');
    // UID2 removes dots and +tags for gmail.com only.
    expect(normalize(gmail, 'email', { profile: 'uid2' })).toBe('john.doe+news@googlemail.com');
    expect(normalize('John.Doe+News@gmail.com', 'email', { profile: 'uid2' })).toBe('johndoe@gmail.com');
    expect(normalize('John.Doe+News@gmail.com', 'email', { profile: 'pair' })).toBe('john.doe+news@gmail.com');
  });

  it('lowercases all letters for Meta and Google, A-Z only for UID2 and PAIR', () => {
    expect(normalize('ÉMILE@Example.COM', 'email')).toBe('émile@example.com');
    expect(normalize('ÉMILE@Example.COM', 'email', { profile: 'google' })).toBe('émile@example.com');
    expect(normalize('ÉMILE@Example.COM', 'email', { profile: 'uid2' })).toBe('Émile@example.com');
    expect(normalize('ÉMILE@Example.COM', 'email', { profile: 'pair' })).toBe('Émile@example.com');
  });

  it('composes to NFC, so precomposed and decomposed accents match', () => {
    expect(normalize('Jose\u0301@example.com', 'email')).toBe(normalize('Jos\u00e9@example.com', 'email'));
  });

  it('keeps an IDN domain as typed and validates it', () => {
    expect(normalize('jane@Bücher.example', 'email')).toBe('jane@bücher.example');
    expect(normalize('jane@xn--bcher-kva.example', 'email')).toBe('jane@xn--bcher-kva.example');
    expect(codeOf('jane@bü cher.example', 'email')).toBe('EMAIL_INVALID');
  });

  it('removes internal whitespace only for Google, whose rule says so', () => {
    expect(normalize('jane doe@example.com', 'email', { profile: 'google' })).toBe('janedoe@example.com');
    expect(codeOf('jane doe@example.com', 'email')).toBe('EMAIL_INVALID');
  });

  it('rejects what is not an address', () => {
    for (const bad of [
      'jane',
      'jane@',
      '@example.com',
      'a@b@c.com',
      'jane@example',
      'a..b@example.com',
      '.a@example.com',
      'a@-x.com',
      'a@example.123',
      '"a b"@example.com',
      'a(b)@example.com',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      expect(codeOf(bad, 'email'), bad).toBe('EMAIL_INVALID');
    }
    expect(codeOf('+tag@gmail.com', 'email', { profile: 'google' })).toBe('EMAIL_INVALID');
  });
});

describe('phone', () => {
  it('writes Meta digits without + and everyone else E.164 with +', () => {
    expect(normalize('+1 (650) 555-1212', 'phone')).toBe('16505551212');
    for (const profile of ['google', 'uid2', 'pair'] as const)
      expect(normalize('+1 (650) 555-1212', 'phone', { profile })).toBe('+16505551212');
  });

  it('reads national numbers with the default country, including trunk and international prefixes', () => {
    expect(normalize('07911 123456', 'phone', { defaultCountry: 'gb', profile: 'google' })).toBe('+447911123456');
    expect(normalize('011 44 7911 123456', 'phone', { defaultCountry: 'US', profile: 'google' })).toBe('+447911123456');
    expect(normalize('1-650-555-1212', 'phone', { defaultCountry: 'US', profile: 'google' })).toBe('+16505551212');
  });

  it('never guesses a country for a national number', () => {
    expect(codeOf('(650) 555-1212', 'phone')).toBe('PHONE_COUNTRY_REQUIRED');
    // UID2 and PAIR never read a number without '+' country code first (Meta and Google do: vectors.test.ts).
    expect(codeOf('16505551212', 'phone', { profile: 'uid2' })).toBe('PHONE_COUNTRY_REQUIRED');
    expect(codeOf('1-650-555-1212', 'phone', { profile: 'pair' })).toBe('PHONE_COUNTRY_REQUIRED');
    // Bare digits are Meta's own format; a national number that is not valid read that way still asks for a country.
    expect(codeOf('6505551212', 'phone')).toBe('PHONE_COUNTRY_REQUIRED');
  });

  it('reads bare digits as Meta format (country code first) in the Meta profile', () => {
    expect(normalize('16505551212', 'phone')).toBe('16505551212');
    expect(normalize('0016505551212', 'phone')).toBe('16505551212');
    expect(normalize('447911123456', 'phone', { defaultCountry: 'US' })).toBe('447911123456');
  });

  it('rejects invalid numbers, letters and extensions', () => {
    expect(codeOf('+1 650 555 121', 'phone')).toBe('PHONE_INVALID');
    expect(codeOf('+1 650 055 1212', 'phone')).toBe('PHONE_INVALID');
    expect(codeOf('1-800-FLOWERS', 'phone', { defaultCountry: 'US' })).toBe('PHONE_INVALID');
    expect(codeOf('+1 650 555 1212 ext 7', 'phone')).toBe('PHONE_INVALID');
    expect(codeOf('+1 650 555 1212', 'phone', { defaultCountry: 'XX' })).toBe('DEFAULT_COUNTRY_INVALID');
  });
});

describe('names, dates and the rest', () => {
  it('names: lowercase, punctuation removed, spaces removed (Meta) or collapsed (Google)', () => {
    expect(normalize("  O'Brien-Smith ", 'last_name')).toBe('obriensmith');
    expect(normalize('Mary   Ann', 'first_name')).toBe('maryann');
    expect(normalize('Mary   Ann', 'first_name', { profile: 'google' })).toBe('mary ann');
    expect(normalize('Van  Der Berg', 'last_name', { profile: 'google' })).toBe('van der berg');
    expect(normalize("D'Arcy", 'first_name', { profile: 'google' })).toBe("d'arcy");
    expect(normalize("O'Brien", 'last_name', { profile: 'google' })).toBe('obrien');
    expect(codeOf('R2D2', 'first_name')).toBe('NAME_INVALID');
    expect(codeOf('...', 'last_name')).toBe('NAME_INVALID');
  });

  it('dates of birth: year first, or unambiguous year last', () => {
    expect(normalize('1997-02-16', 'dob')).toBe('19970216');
    expect(normalize('1997/2/6', 'dob')).toBe('19970206');
    expect(normalize('16.02.1997', 'dob')).toBe('19970216');
    expect(normalize('05/05/1990', 'dob')).toBe('19900505');
    expect(codeOf('03/04/1990', 'dob')).toBe('DOB_AMBIGUOUS');
    expect(codeOf('1997-02-30', 'dob')).toBe('DOB_INVALID');
    expect(codeOf('1899-12-31', 'dob')).toBe('DOB_INVALID');
    expect(codeOf(`${new Date().getUTCFullYear() + 1}-01-01`, 'dob')).toBe('DOB_INVALID');
    expect(codeOf('Feb 16 1997', 'dob')).toBe('DOB_INVALID');
  });

  it('gender, country, state, city, zip, maid, external_id', () => {
    expect(normalize(' Female ', 'gender')).toBe('f');
    expect(codeOf('x', 'gender')).toBe('GENDER_INVALID');
    expect(normalize('GB', 'country')).toBe('gb');
    expect(normalize('Côte d’Ivoire', 'country')).toBe('ci');
    expect(codeOf('Atlantis', 'country')).toBe('COUNTRY_INVALID');
    expect(normalize('California', 'state')).toBe('ca');
    expect(normalize('Île-de-France', 'state')).toBe('îledefrance');
    expect(normalize('St. Louis', 'city')).toBe('stlouis');
    expect(normalize('St. Louis', 'city', { profile: 'google' })).toBe('st louis');
    expect(codeOf('10115', 'city')).toBe('CITY_INVALID');
    expect(normalize('94035 1234', 'zip')).toBe('94035');
    expect(normalize('00-950', 'zip')).toBe('00950');
    expect(codeOf('1', 'zip')).toBe('ZIP_INVALID');
    expect(normalize('AECE52E703EE455AB3C4E57283966239', 'maid')).toBe('aece52e7-03ee-455a-b3c4-e57283966239');
    expect(codeOf('00000000-0000-0000-0000-000000000000', 'maid')).toBe('MAID_INVALID');
    expect(normalize('  CRM-0042 ', 'external_id')).toBe('crm-0042');
    expect(normalize('CRM 0042', 'external_id', { profile: 'google' })).toBe('crm0042');
  });
});

describe('never a guess, never empty', () => {
  it('throws typed errors for empty, non-string and unknown inputs', () => {
    expect(codeOf('   ', 'email')).toBe('EMPTY');
    expect(codeOf('', 'external_id')).toBe('EMPTY');
    expect(codeOf(42, 'email')).toBe('VALUE_INVALID');
    expect(codeOf(null, 'phone')).toBe('VALUE_INVALID');
    expect(codeOf('a\u0000b', 'external_id')).toBe('VALUE_INVALID');
    expect(codeOf('\uD800x', 'external_id')).toBe('VALUE_INVALID');
    expect(codeOf('x', 'ssn')).toBe('TYPE_UNKNOWN');
    expect(codeOf('x', 'external_id', { profile: 'tiktok' as never })).toBe('PROFILE_UNKNOWN');
  });

  it('hashIdentifier refuses empty input and unknown encodings', () => {
    expect(() => hashIdentifier('')).toThrow(IdentifierError);
    expect(() => hashIdentifier('x', { encoding: 'base32' as never })).toThrow(/encoding/);
  });
});
