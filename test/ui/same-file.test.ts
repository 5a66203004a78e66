import { describe, expect, it } from 'vitest';
import { sameFile } from '../../src/ui/same-file.js';

const file = (name: string, text: string, lastModified: number, type = 'text/csv') => new File([text], name, { type, lastModified });

describe('sameFile', () => {
  it('holds for two File objects of one file, as the worker receives a clone from each message', () => {
    // Node clones no File as a File: a second object with the same attributes stands for the browser's clone.
    const chosen = file('customers.csv', 'email\na@example.com\n', 1_700_000_000_000);
    expect(sameFile(chosen, file('customers.csv', 'email\na@example.com\n', 1_700_000_000_000))).toBe(true);
    expect(sameFile(chosen, chosen)).toBe(true);
  });

  it('fails for another name, size, type or time of modification', () => {
    const chosen = file('customers.csv', 'email\na@example.com\n', 1_700_000_000_000);
    expect(sameFile(chosen, file('other.csv', 'email\na@example.com\n', 1_700_000_000_000))).toBe(false);
    expect(sameFile(chosen, file('customers.csv', 'email\nab@example.com\n', 1_700_000_000_000))).toBe(false);
    expect(sameFile(chosen, file('customers.csv', 'email\na@example.com\n', 1_700_000_000_000, 'text/plain'))).toBe(false);
    expect(sameFile(chosen, file('customers.csv', 'email\na@example.com\n', 1_700_000_000_001))).toBe(false);
  });

  it('knows a Blob that is no File only by identity', () => {
    const blob = new Blob(['email\n']);
    expect(sameFile(blob, blob)).toBe(true);
    expect(sameFile(blob, new Blob(['email\n']))).toBe(false);
  });
});
