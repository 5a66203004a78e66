import { expect, it } from 'vitest';

// Each entry's export list is pinned: adding or removing a public name must be a deliberate snapshot update.
it.each(['index', 'core', 'primitives'])('the %s entry exports exactly its snapshot', async (entry) => {
  const names = Object.keys(await import(`../src/${entry}.ts`)).sort();
  expect(names).toMatchSnapshot();
});
