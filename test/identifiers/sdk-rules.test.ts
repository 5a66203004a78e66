import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashIdentifier, IdentifierError, normalize, type IdentifierType, type NormalizeOptions } from '../../src/core.js';

/** Vectors of the platforms' SDK rules (issue 11), each rule naming its source; see the file's "sources". */
interface Rule {
  rule: string;
  source: string;
  vectors: [string, IdentifierType, NormalizeOptions, string, string | null][];
  errors?: [string, IdentifierType, NormalizeOptions, string][];
}
const file = JSON.parse(readFileSync(new URL('../vectors/identifier-sdk-rules.json', import.meta.url), 'utf8')) as {
  sources: Record<string, string>;
  rules: Rule[];
};

describe('platform SDK rules (test/vectors/identifier-sdk-rules.json)', () => {
  it('names a known source for every rule', () => {
    for (const { rule, source } of file.rules) {
      for (const key of source.split(', ')) expect(file.sources[key], `${rule}: ${key}`).toBeDefined();
    }
  });

  for (const { rule, source, vectors, errors = [] } of file.rules) {
    it(`${rule} [${source}]`, () => {
      for (const [input, type, opts, normalized, hash] of vectors) {
        const got = normalize(input, type, opts);
        expect(got, `${type} ${JSON.stringify(input)}`).toBe(normalized);
        // Meta's fragments end in a space when the name has one in its first five characters; trimming moves them.
        if (!got.endsWith(' ')) expect(normalize(got, type, opts), `fixed point of ${JSON.stringify(got)}`).toBe(got);
        if (hash !== null) expect(hashIdentifier(got)).toBe(hash);
      }
      for (const [input, type, opts, code] of errors) {
        let thrown: unknown;
        try {
          normalize(input, type, opts);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `${type} ${JSON.stringify(input)}`).toBeInstanceOf(IdentifierError);
        expect((thrown as IdentifierError).code, `${type} ${JSON.stringify(input)}`).toBe(code);
      }
    });
  }
});
