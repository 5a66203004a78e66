import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './cli/build.js';

const root = join(import.meta.dirname, '..');

/** Type-checks `source` as a module of a project importing the built package under `conditions`; its error codes and texts. */
async function typeCheck(source: string, conditions: string[]): Promise<string[]> {
  const file = join(root, 'test', `zz-types-${conditions.join('-') || 'node'}.ts`);
  await writeFile(file, source);
  try {
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      customConditions: conditions,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    await rm(file, { force: true });
  }
}

// The types are the built ones (dist/*.d.ts), as a project installing the package sees them.
describe('the package root, typed per export condition', () => {
  beforeAll(ensureBuilt, 180_000);

  it('gives a browser project the session API and refuses the Node service at type-check', async () => {
    expect(
      await typeCheck(
        "import { createParty, matchWith, fetchPort, type MatchOverHttpOptions } from 'blindjoin';\nconst opts: MatchOverHttpOptions = { server: 'https://psi.example', items: [] };\nvoid [createParty, matchWith(fetchPort(), opts)];\n",
        ['browser'],
      ),
    ).toEqual([]);
    for (const name of ['startPsiServer', 'matchOverHttp', 'readIdentifierColumn', 'prepareStore']) {
      const errors = await typeCheck(`import { ${name} } from 'blindjoin';\nvoid ${name};\n`, ['browser']);
      expect(errors.join('\n')).toMatch(new RegExp(`has no exported member '${name}'`));
    }
  });

  it('gives a Node project the same root, and the service on its subpath', async () => {
    const errors = await typeCheck("import { startPsiServer } from 'blindjoin';\nvoid startPsiServer;\n", ['node']);
    expect(errors.join('\n')).toMatch(/startPsiServer/);
    expect(
      await typeCheck(
        "import { createParty } from 'blindjoin';\nimport { startPsiServer } from 'blindjoin/service';\nimport { prepareStore } from 'blindjoin/store';\nimport { readIdentifierColumn } from 'blindjoin/files';\nimport { matchOverHttp } from 'blindjoin/client';\nimport { PlatformParty } from 'blindjoin/measurement';\nvoid [createParty, startPsiServer, prepareStore, readIdentifierColumn, matchOverHttp, PlatformParty];\n",
        ['node'],
      ),
    ).toEqual([]);
  });
});
