import { IdentifierError } from './errors.js';
import { lowerAscii, lowerUnicode, utf8Length } from './text.js';
import type { Profile } from './types.js';

/** RFC 5322 atext, plus any non-ASCII character (RFC 6531 internationalised local parts). */
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+$/u;
/** A domain label as typed: letters (any script), marks, digits, inner hyphens. */
const LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;

/** Domains whose local part ignores dots and +tags, per profile (see docs/identifiers.md). */
const GMAIL_DOMAINS: Record<Profile, readonly string[]> = {
  meta: [],
  google: ['gmail.com', 'googlemail.com'],
  uid2: ['gmail.com'],
  pair: [],
};

function invalid(reason: string): never {
  throw new IdentifierError('EMAIL_INVALID', `email ${reason}`);
}

function checkLocal(local: string): void {
  if (local === '') invalid('has nothing before the @');
  for (const atom of local.split('.')) {
    if (atom === '') invalid('local part has a leading, trailing or doubled dot');
    if (!ATOM.test(atom)) invalid('local part has a character not allowed in an address');
  }
  if (utf8Length(local) > 64) invalid('local part is longer than 64 bytes');
}

function checkDomain(domain: string): void {
  const labels = domain.split('.');
  if (labels.length < 2) invalid('domain has no dot');
  for (const label of labels) if (!LABEL.test(label)) invalid(`domain label ${JSON.stringify(label)} is not a host name label`);
  if (/^\d+$/.test(labels[labels.length - 1]!)) invalid('domain ends in a numeric label');
  // The WHATWG URL parser applies IDNA (UTS 46); it rejects what no DNS name can be.
  let ascii: string;
  try {
    ascii = new URL(`http://${domain}/`).hostname;
  } catch {
    return invalid('domain is not a valid internationalised domain name');
  }
  if (ascii.length > 253 || ascii.split('.').some((l) => l.length > 63)) invalid('domain is too long');
}

/**
 * Normalises an email address for `profile`: trimmed, NFC, lowercased (all
 * letters for Meta and Google, A-Z only for UID2 and PAIR), validated as a
 * dot-atom address with a host name, and with Gmail dots and +tags removed
 * where the profile says so (a Gmail local part with doubled dots is then
 * normalised, not refused). Internal whitespace is removed for Google (its
 * rule) and rejected otherwise. IDN domains keep the form they were typed in,
 * as every platform hashes the text as given.
 *
 * @example
 * ```ts
 * normalizeEmail(' Jane.Doe+x@GMAIL.com ', 'google'); // 'janedoe@gmail.com'
 * normalizeEmail(' Jane.Doe+x@GMAIL.com ', 'meta');   // 'jane.doe+x@gmail.com'
 * ```
 */
export function normalizeEmail(text: string, profile: Profile): string {
  let email = profile === 'uid2' || profile === 'pair' ? lowerAscii(text) : lowerUnicode(text);
  if (profile === 'google') email = email.replace(/\s+/g, '');
  else if (/\s/.test(email)) invalid('contains whitespace');
  const at = email.indexOf('@');
  if (at < 0) invalid('has no @');
  if (email.indexOf('@', at + 1) >= 0) invalid('has more than one @');
  let local = email.slice(0, at);
  const domain = email.slice(at + 1);
  checkDomain(domain);
  if (GMAIL_DOMAINS[profile].includes(domain)) {
    // Every dot goes, so a doubled, leading or trailing one is no error here
    // (Google's formatter and the UID2 operator both just drop them).
    local = local.split('+')[0]!.replaceAll('.', '');
    if (local === '') invalid('has nothing left before the @ once Gmail dots and +tag are removed');
  }
  checkLocal(local);
  const out = `${local}@${domain}`;
  if (utf8Length(out) > 254) invalid('is longer than 254 bytes');
  return out;
}
