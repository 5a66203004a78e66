import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ERROR_CODES, isPsiErrorCode, PsiError, statusOf } from '../src/errors.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

it('documents every code of the registry, and no code that is not in it', () => {
  const documented = new Set([...doc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
  expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
});

it('gives every code an HTTP status of 4xx or 5xx, the one the doc shows', () => {
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
    expect(doc).toContain(`| \`${code}\` | ${status} |`);
  }
});

it('types codes that crossed a boundary', () => {
  expect(isPsiErrorCode('QUOTA_EXCEEDED')).toBe(true);
  expect(isPsiErrorCode('ECONNRESET')).toBe(false);
  expect(isPsiErrorCode('toString')).toBe(false);
  expect(statusOf(new PsiError('QUOTA_EXCEEDED', 'x').code)).toBe(429);
});
