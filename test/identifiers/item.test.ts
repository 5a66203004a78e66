import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { hashIdentifier, normalize, psiItem } from '../../src/core.js';
import { ITEM_PREFIX } from '../../src/primitives.js';
import { syncCodeOf as codeOf } from '../codes.js';

const utf8 = new TextEncoder();

describe('psiItem', () => {
  it('is the type-tagged SHA-256 of the normalised value', () => {
    const item = psiItem('email', ' Jane@Example.com ');
    const prefix = utf8.encode(`${ITEM_PREFIX}email\0`);
    expect(item.subarray(0, prefix.length)).toEqual(prefix);
    expect(item.subarray(prefix.length)).toEqual(sha256(utf8.encode('jane@example.com')));
    expect(item.length).toBe(prefix.length + 32);
  });

  it('takes pre-hashed emails by default and other types through hashOf', () => {
    const email = hashIdentifier(normalize('Jane@Example.com', 'email'));
    expect(psiItem('sha256', email)).toEqual(psiItem('email', 'Jane@Example.com'));
    expect(psiItem('sha256', ` ${email.toUpperCase()} `)).toEqual(psiItem('email', 'jane@example.com'));
    const phone = hashIdentifier(normalize('+1 650 555 1212', 'phone'));
    expect(psiItem('sha256', phone, { hashOf: 'phone' })).toEqual(psiItem('phone', '(650) 555-1212', { defaultCountry: 'US' }));
    expect(psiItem('sha256', phone, { hashOf: 'phone' })).not.toEqual(psiItem('sha256', phone));
  });

  it('follows the profile, so a Google-normalised hash joins the Google-normalised raw value', () => {
    const hex = hashIdentifier('janedoe@gmail.com');
    expect(psiItem('email', 'Jane.Doe+x@gmail.com', { profile: 'google' })).toEqual(psiItem('sha256', hex));
    expect(psiItem('email', 'Jane.Doe+x@gmail.com', { profile: 'meta' })).not.toEqual(psiItem('sha256', hex));
  });

  it('rejects a pre-hashed value that is not 64 hex digits, and unknown types', () => {
    expect(codeOf(() => psiItem('sha256', 'abc'))).toBe('SHA256_INVALID');
    expect(codeOf(() => psiItem('sha256', hashIdentifier('x', { encoding: 'base64' })))).toBe('SHA256_INVALID');
    expect(codeOf(() => psiItem('sha256', 'g'.repeat(64)))).toBe('SHA256_INVALID');
    expect(codeOf(() => psiItem('sha256', 'a'.repeat(64), { hashOf: 'ssn' as never }))).toBe('TYPE_UNKNOWN');
    expect(codeOf(() => psiItem('ssn' as never, 'x'))).toBe('TYPE_UNKNOWN');
    expect(codeOf(() => psiItem('email', 'nope'))).toBe('EMAIL_INVALID');
  });
});
