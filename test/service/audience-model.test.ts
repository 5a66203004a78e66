import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Released } from '../../src/wire/figure.js';
import { applyAudienceUpdate, isUsable, knownSize, type Audience } from '../../src/service/audiences/model.js';
import { audienceFileName, checkAudienceName, decodeAudienceName } from '../../src/wire/audience.js';
import { codeOf } from '../protocol/helpers.js';

const released = (value: number | null): Released => ({ value, note: 'test', epsilon: 0.25, scale: 4, threshold: 100 });

describe('audience names', () => {
  it('accepts 1-100 printable characters and refuses the rest with AUDIENCE_NAME_INVALID', async () => {
    for (const ok of ['a', 'Spring buyers', 'é'.repeat(100), '😀 fans', '..', 'a/b\\c']) expect(checkAudienceName(ok)).toBe(ok);
    for (const bad of ['', 'x'.repeat(101), 'a\u0000b', 'tab\t', 'line\u2028', 'bidi\u202e', '\ud800', 42]) {
      expect(await codeOf(() => checkAudienceName(bad))).toBe('AUDIENCE_NAME_INVALID');
    }
  });

  it('encodes every name to a distinct, safe file name that decodes back', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((n) => {
      try {
        return checkAudienceName(n) === n;
      } catch {
        return false;
      }
    });
    fc.assert(
      fc.property(name, name, (a, b) => {
        const file = audienceFileName(a);
        expect(file).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$/);
        expect(decodeAudienceName(file)).toBe(a);
        if (a !== b) expect(audienceFileName(b)).not.toBe(file);
      }),
    );
    expect(audienceFileName('..')).toBe('%2E.');
    expect(audienceFileName('Spring buyers/2025')).toBe('Spring%20buyers%2F2025');
  });
});

describe('audience updates', () => {
  const at = Date.UTC(2026, 0, 1);
  const update = (mode: 'replace' | 'add' | 'remove', users: string[], value: number | null = 150) => ({
    mode,
    columns: ['user_id'],
    users: users.map((u) => [u]),
    released: mode === 'remove' ? null : released(value),
    sent: users.length + 5,
    at,
  });

  it('behaves as a set: replace sets, add unites, remove takes out', () => {
    const ops = fc.array(fc.tuple(fc.constantFrom('replace' as const, 'add' as const, 'remove' as const), fc.uniqueArray(fc.nat(20))));
    fc.assert(
      fc.property(ops, (steps) => {
        let audience: Audience | undefined;
        let model = new Set<string>();
        for (const [mode, ids] of steps) {
          const users = ids.map(String);
          if (mode === 'remove' && audience === undefined) continue;
          audience = applyAudienceUpdate(audience, 'acme', 'A', update(mode, users)).audience;
          if (mode === 'replace') model = new Set(users);
          else if (mode === 'add') users.forEach((u) => model.add(u));
          else users.forEach((u) => model.delete(u));
          expect(audience.members.map((m) => m[0]).sort()).toEqual([...model].sort());
        }
      }),
    );
  });

  it('keeps the released figure through a remove, and takes the rows sent off the size shown', () => {
    const created = applyAudienceUpdate(undefined, 'acme', 'A', update('replace', ['1', '2', '3'], 150)).audience;
    const after = applyAudienceUpdate(created, 'acme', 'A', update('remove', ['1'])).audience;
    expect(after.released).toEqual(created.released);
    expect(after.removedSince).toBe(6);
    expect(knownSize(after, true)).toBe(144);
    expect(knownSize(after, false)).toBe(2);
  });

  it('decides "usable" on the released figure and the rows sent, never on the exact count', () => {
    // Two audiences differing by one member (D and D plus one target) with the same released figure.
    fc.assert(
      fc.property(
        fc.nat(300),
        fc.option(fc.nat(400), { nil: null }),
        fc.nat(50),
        fc.integer({ min: 1, max: 300 }),
        (n, value, removed, min) => {
          const members = Array.from({ length: n }, (_, i) => [String(i)]);
          const d = { members, released: released(value), removedSince: removed };
          const withTarget = { ...d, members: [...members, ['target']] };
          expect(isUsable(withTarget, true, min)).toBe(isUsable(d, true, min));
          expect(knownSize(withTarget, true)).toBe(knownSize(d, true));
        },
      ),
    );
  });
});
