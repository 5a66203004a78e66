import { describe, expect, it } from 'vitest';
import { hashIdentifier, normalize, type IdentifierType, type NormalizeOptions } from '../../src/core.js';

/** [input, type, options, expected normalised value, expected hash or undefined where the source gives none] */
type Vector = [string, IdentifierType, NormalizeOptions, string, string?];

function check(vectors: Vector[], encoding: 'hex' | 'base64'): void {
  for (const [input, type, opts, normalized, hash] of vectors) {
    const got = normalize(input, type, opts);
    expect(got, `${type} ${JSON.stringify(input)}`).toBe(normalized);
    if (hash !== undefined) expect(hashIdentifier(got, { encoding })).toBe(hash);
  }
}

describe('published platform examples', () => {
  it('Meta: Conversions API customer information parameters (em, ph, fn, db, country)', () => {
    // https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
    check(
      [
        ['John_Smith@gmail.com', 'email', {}, 'john_smith@gmail.com', '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'],
        [
          '(650)555-1212',
          'phone',
          { defaultCountry: 'US' },
          '16505551212',
          'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176',
        ],
        ['Mary', 'first_name', {}, 'mary', '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec'],
        ['정', 'first_name', {}, '정', '8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14'],
        ['Valéry', 'first_name', {}, 'valéry', '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c'],
        ['Valéry', 'last_name', {}, 'valéry', '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c'],
        ['2/16/1997', 'dob', {}, '19970216', '01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c'],
        ['United States', 'country', {}, 'us', '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621'],
        ['f', 'gender', {}, 'f'],
        ['m', 'gender', {}, 'm'],
        ['94035', 'zip', {}, '94035'],
        ['M1 1AE', 'zip', {}, 'm11ae'],
        ['AZ', 'state', {}, 'az'],
        ['New York', 'city', {}, 'newyork'],
      ],
      'hex',
    );
  });

  it('Meta: customer list phone examples (country code always included)', () => {
    // https://www.facebook.com/business/help/2082575038703844 lists these inputs; the hash
    // of 448444124653 is published by Snap for the same normalisation:
    // https://developers.snap.com/api/marketing-api/Conversions-API/Parameters
    check(
      [
        ['1-234-567-8910', 'phone', { defaultCountry: 'US' }, '12345678910'],
        ['12345678910', 'phone', {}, '12345678910'],
        ['+44 844 412 4653', 'phone', {}, '448444124653', 'dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383'],
        ['AECE52E7-03EE-455A-B3C4-E57283966239', 'maid', {}, 'aece52e7-03ee-455a-b3c4-e57283966239'],
      ],
      'hex',
    );
  });

  it('UID2: normalization and encoding, email table and phone table (Base64 of the digest)', () => {
    // https://unifiedid.com/docs/getting-started/gs-normalization-encoding
    // (IABTechLab/uid2docs docs/getting-started/gs-normalization-encoding.md)
    const uid2 = { profile: 'uid2' } as const;
    check(
      [
        ['user@example.com', 'email', uid2, 'user@example.com', 'tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ='],
        ['MyEmail@example.com', 'email', uid2, 'myemail@example.com', 'FsGNM28LJQ8OLZB0Us65ZYp07NrovJSGTCMSKnLMJ6U='],
        ['MYEMAIL@example.com', 'email', uid2, 'myemail@example.com', 'FsGNM28LJQ8OLZB0Us65ZYp07NrovJSGTCMSKnLMJ6U='],
        ['My.Email@example.com', 'email', uid2, 'my.email@example.com', '4itTvG+HEnTzpiqzejyu1yFPwU1nYhWpaiQvz62hyB8='],
        ['JANESAOIRSE@example.com', 'email', uid2, 'janesaoirse@example.com', '1mcOepIAfxtf94Xx/IHlOqbT170GvfXEc83HKGwoS20='],
        ['JaneSaoirse@example.com', 'email', uid2, 'janesaoirse@example.com', '1mcOepIAfxtf94Xx/IHlOqbT170GvfXEc83HKGwoS20='],
        ['jane.saoirse@example.com', 'email', uid2, 'jane.saoirse@example.com', 'sZZDLHuYmiypHIN5mVfFFdpT5sE6vyC3j+qU8RfpC/g='],
        ['Jane.Saoirse@example.com', 'email', uid2, 'jane.saoirse@example.com', 'sZZDLHuYmiypHIN5mVfFFdpT5sE6vyC3j+qU8RfpC/g='],
        ['JaneSaoirse+Work@example.com', 'email', uid2, 'janesaoirse+work@example.com', 'KKruSBUjDNO069iMUVImVQZm6RrAGZKeOtrD9mwogYA='],
        ['JANE.SAOIRSE@gmail.com', 'email', uid2, 'janesaoirse@gmail.com', 'ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8='],
        ['Jane.Saoirse@gmail.com', 'email', uid2, 'janesaoirse@gmail.com', 'ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8='],
        ['JaneSaoirse+Work@gmail.com', 'email', uid2, 'janesaoirse@gmail.com', 'ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8='],
        ['JANESaoirse@gmail.com', 'email', uid2, 'janesaoirse@gmail.com', 'ku4mBX7Z3qJTXWyLFB1INzkyR2WZGW4ANSJUiW21iI8='],
        ['+12345678901', 'phone', uid2, '+12345678901', 'EObwtHBUqDNZR33LNSMdtt5cafsYFuGmuY4ZLenlue4='],
        ['1 (234) 567-8901', 'phone', { ...uid2, defaultCountry: 'US' }, '+12345678901'],
        ['(02) 1234 5678', 'phone', { ...uid2, defaultCountry: 'AU' }, '+61212345678'],
      ],
      'base64',
    );
    // The same page gives the hex digests of two of these.
    expect(hashIdentifier('user@example.com')).toBe('b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514');
    expect(hashIdentifier('+12345678901')).toBe('10e6f0b47054a83359477dcb35231db6de5c69fb1816e1a6b98e192de9e5b9ee');
  });

  it('UID2: the un-normalised hash on the same page is a different value', () => {
    // Same source: hashing "JANESaoirse@gmail.com" as typed gives VpLXEp5N...; normalising first does not.
    expect(hashIdentifier('JANESaoirse@gmail.com', { encoding: 'base64' })).toBe('VpLXEp5N1bj/V1WzjgZsC+FfuYdntAOywSVIO00FD/E=');
    expect(hashIdentifier(normalize('JANESaoirse@gmail.com', 'email', { profile: 'uid2' }), { encoding: 'base64' })).not.toBe(
      'VpLXEp5N1bj/V1WzjgZsC+FfuYdntAOywSVIO00FD/E=',
    );
  });

  it('Google: Data Manager API "Format user data" examples', () => {
    // https://developers.google.com/data-manager/api/devguides/concepts/formatting
    const google = { profile: 'google' } as const;
    check(
      [
        ['cloudy.sanfrancisco+shopping@gmail.com', 'email', google, 'cloudysanfrancisco@gmail.com'],
        ['user.name+NYC@Example.com', 'email', google, 'user.name+nyc@example.com'],
        ['(800)555-0100', 'phone', { ...google, defaultCountry: 'US' }, '+18005550100'],
      ],
      'hex',
    );
  });

  it('Google: Ads API E.164 examples', () => {
    // https://developers.google.com/google-ads/api/reference/rpc/v24/UserIdentifier: +16502531234;
    // https://groups.google.com/g/adwords-api/c/GLqSCji7Hx0 (Google Ads API team): +12125650000, +442070313000
    check(
      [
        ['(650) 253-1234', 'phone', { profile: 'google', defaultCountry: 'US' }, '+16502531234'],
        ['+1 212 565 0000', 'phone', { profile: 'google' }, '+12125650000'],
        ['020 7031 3000', 'phone', { profile: 'google', defaultCountry: 'GB' }, '+442070313000'],
      ],
      'hex',
    );
  });

  it('IAB Tech Lab PAIR: canonical match key example (email, hex)', () => {
    // https://github.com/InteractiveAdvertisingBureau/PAIR/blob/main/PAIR.md#canonical-representation-of-common-match-keys
    check(
      [
        [
          'user@example.com',
          'email',
          { profile: 'pair' },
          'user@example.com',
          'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514',
        ],
      ],
      'hex',
    );
  });
});
