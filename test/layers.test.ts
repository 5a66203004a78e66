import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints one module written at `path` under src/, then removes it: what `npm run lint` says of it. */
async function lintAt(path: string, source: string): Promise<string[]> {
  const file = join(import.meta.dirname, '..', path);
  await writeFile(file, source);
  try {
    const [result] = await new ESLint({ cwd: join(import.meta.dirname, '..') }).lintFiles([file]);
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  } finally {
    await rm(file, { force: true });
  }
}

describe('the layers, enforced by lint', () => {
  it('refuse an import that runs up the layers, and node: modules in browser folders', async () => {
    const messages = await lintAt(
      'src/wire/zz-layer-probe.ts',
      "import { createParty } from '../protocol/party.js';\nimport { readFile } from 'node:fs/promises';\nexport const probe = [createParty, readFile];\n",
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/src\/wire sits below src\/protocol/);
    expect(messages[1]).toMatch(/runs in browsers/);
  });

  it.each(['random', 'identifiers', 'group', 'disclosure'])('refuse node: modules in src/%s, which runs in browsers', async (folder) => {
    const messages = await lintAt(
      `src/${folder}/zz-layer-probe.ts`,
      "import { readFile } from 'node:fs/promises';\nexport const probe = readFile;\n",
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`src/${folder} runs in browsers: no node: modules`);
  });

  it("keep Node's worker pool and identifier files out of the browser folders below them", async () => {
    const messages = await lintAt(
      'src/group/zz-layer-probe.ts',
      "import { workerThreads } from '../pool/threads.js';\nimport { writeHashFile } from '../files/hash-file.js';\nexport const probe = [workerThreads, writeHashFile];\n",
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/src\/group sits below src\/pool/);
    expect(messages[1]).toMatch(/src\/group sits below src\/files/);
  });

  it.each([
    ['pool', 'groupSuite', '../group/suite.js'],
    ['files', 'normalize', '../identifiers/normalize.js'],
  ])('let src/%s, a Node folder, import node: modules and the layers below it', async (folder, name, below) => {
    expect(
      await lintAt(
        `src/${folder}/zz-layer-probe.ts`,
        `import { readFile } from 'node:fs/promises';\nimport { ${name} } from '${below}';\nexport const probe = [readFile, ${name}];\n`,
      ),
    ).toEqual([]);
  });

  it("keep the page and the advertiser's client off the platform's service", async () => {
    expect(
      await lintAt(
        'src/ui/zz-layer-probe.ts',
        "import type { SessionService } from '../service/engine.js';\nexport type Probe = SessionService;\n",
      ),
    ).toHaveLength(1);
  });

  it("keep the service's HTTP side off the store, which the service's composition root opens", async () => {
    const eslint = new ESLint({ cwd: join(import.meta.dirname, '..') });
    const source =
      "import { currentEpoch } from '../store/layout.js';\nimport { Command } from '../cli/program.js';\nexport const probe = [currentEpoch, Command];\n";
    for (const file of ['src/transport/handler.ts', 'src/transport/server.ts']) {
      const [result] = await eslint.lintText(source, { filePath: join(import.meta.dirname, '..', file) });
      const messages = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
      expect(messages, file).toHaveLength(2);
      expect(messages[0]).toMatch(/reach the store only through the service/);
      expect(messages[1]).toMatch(/src\/transport sits below src\/cli/);
    }
    // Elsewhere in transport the store is within the layers.
    expect(
      await lintAt(
        'src/transport/zz-layer-probe.ts',
        "import { currentEpoch } from '../store/layout.js';\nexport const probe = currentEpoch;\n",
      ),
    ).toEqual([]);
  });

  it('let a layer import the layers below it', async () => {
    expect(
      await lintAt(
        'src/protocol/zz-layer-probe.ts',
        "import { ELEMENT_BYTES } from '../group/constants.js';\nexport const probe = ELEMENT_BYTES;\n",
      ),
    ).toEqual([]);
  });
});
