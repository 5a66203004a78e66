import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENTRIES = ['core', 'node', 'primitives', 'measurement', 'client', 'files', 'store', 'service'];

/** Every name (values and types) each entry of src/ exports, as the TypeScript checker sees them. */
function declaredNames(): Map<string, string[]> {
  const files = ENTRIES.map((entry) => join(import.meta.dirname, '..', 'src', `${entry}.ts`));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  return new Map(
    ENTRIES.map((entry, i) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(files[i]!)!)!;
      return [
        entry,
        checker
          .getExportsOfModule(symbol)
          .map((s) => s.name)
          .sort(),
      ];
    }),
  );
}

// Each entry's export list is pinned: adding or removing a public name must be a deliberate snapshot update.
describe('the package entries', () => {
  it.each(ENTRIES)('the %s entry exports exactly its snapshot of values', async (entry) => {
    const names = Object.keys(await import(`../src/${entry}.ts`)).sort();
    expect(names).toMatchSnapshot();
  });

  it('declare exactly their snapshot of names, types included; the root the same in Node and in browsers', () => {
    const names = declaredNames();
    expect(names.get('node')).toEqual(names.get('core'));
    expect(Object.fromEntries(names)).toMatchSnapshot();
  });

  it('keep the root to one screen, and the store and service internals unexported', () => {
    const names = declaredNames();
    expect(names.get('core')!.length).toBeLessThanOrEqual(40);
    const everywhere = [...names.values()].flat();
    for (const internal of ['switchEpoch', 'currentEpoch', 'Manifest', 'SegmentEntry', 'StoredRow'])
      expect(everywhere).not.toContain(internal);
    expect(names.get('core')).not.toContain('startPsiServer');
    expect(names.get('core')).not.toContain('PlatformParty');
  });
});
