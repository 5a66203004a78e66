import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlindedCache, createParty, runLocal } from '../../src/node.js';
import { blindedCacheFile, readBlindedCache, writeBlindedCache } from '../../src/transport/blinded-cache-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-blinded-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const keySeed = new Uint8Array(32).fill(3);

/** A cache filled by one local session of `items`. */
async function filled(items: string[], blindedCache = new BlindedCache()): Promise<BlindedCache> {
  const common = { backend: 'noble', workers: 1, learn: 'none', peerLearns: 'size' } as const;
  await runLocal(
    createParty({ ...common, role: 'initiator', items, keySeed, blindedCache }),
    createParty({ ...common, role: 'responder', items: [], learn: 'size', peerLearns: 'none' }),
  );
  return blindedCache;
}

describe('the blinded cache file', () => {
  it('sits next to the key file, one per relationship', () => {
    expect(blindedCacheFile('/k/a.key', 'crm/2026')).toBe('/k/a.key.crm_2026.blinded');
  });

  it('is written 0600 and read back to serve every item again; a missing one is an empty cache, silently', async () => {
    const path = join(dir, 'a.key.crm.blinded');
    const warnings: string[] = [];
    expect((await readBlindedCache(path, (w) => warnings.push(w))).size).toBe(0);
    await writeBlindedCache(path, await filled(['a', 'b', 'c']));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const read = await readBlindedCache(path, (w) => warnings.push(w));
    await filled(['a', 'b', 'c'], read);
    expect(read).toMatchObject({ hits: 3, misses: 0 });
    expect(warnings).toEqual([]);
  });

  it('keeps only the items the sessions since it was read used', async () => {
    const path = join(dir, 'cache');
    await writeBlindedCache(path, await filled(['a', 'b', 'c']));
    const read = await readBlindedCache(path, () => undefined);
    await writeBlindedCache(path, await filled(['c', 'd'], read));
    expect((await readBlindedCache(path, () => undefined)).size).toBe(2);
  });

  it('is ignored with a warning when damaged or when other users can change it, never thrown', async () => {
    const path = join(dir, 'cache');
    await writeBlindedCache(path, await filled(['a', 'b']));
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 1), { mode: 0o600 });
    const warnings: string[] = [];
    expect((await readBlindedCache(path, (w) => warnings.push(w))).size).toBe(0);
    await writeFile(path, bytes);
    await chmod(path, 0o666);
    expect((await readBlindedCache(path, (w) => warnings.push(w))).size).toBe(0);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/not a blinded cache/);
    expect(warnings[1]).toMatch(/other users can change it/);
  });
});
