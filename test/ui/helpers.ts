import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildUi } from '../../scripts/build-ui.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const UI_DIR = join(ROOT, 'dist', 'ui');
export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** The flags of a quiet, sandbox-less headless run (CI runs as root in a container). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function newest(dir: string): Promise<number> {
  let at = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    at = Math.max(at, entry.isDirectory() ? await newest(path) : (await stat(path)).mtimeMs);
  }
  return at;
}

/** Builds dist/ui when it is missing or older than any source, so that `npm test` alone, from a fresh clone, tests the page. */
export async function ensureUiBuilt(): Promise<void> {
  const built = await stat(join(UI_DIR, 'index.html')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built < (await newest(join(ROOT, 'src')))) await buildUi(UI_DIR);
}
