import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PsiParty } from '../../src/protocol/party.js';
import { openPlatform } from '../../src/service/platform.js';
import { openServiceState } from '../../src/service/state.js';
import { servePlatform, startPsiServer } from '../../src/transport/server.js';
import { codeOf } from '../protocol/helpers.js';
import { emails } from '../transport/helpers.js';
import { drive } from './drive.js';

const users = emails(0, 200);
const client = (items: string[]) =>
  new PsiParty({ role: 'initiator', items, learn: 'size', peerLearns: 'intersection', workers: 1, chunkItems: 16 });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bj-platform-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openPlatform, the composition root', () => {
  it('writes each result under outDir from the service itself, then hands it to onResult, with no HTTP', async () => {
    const outDir = join(dir, 'results');
    const heard: string[] = [];
    const platform = await openPlatform({
      items: users,
      disclosure: 'exact',
      workers: 1,
      outDir,
      stateDir: join(dir, 'state'),
      // The summary is on disk before the caller hears of the result.
      onResult: async ({ summary }) => {
        const written = (await readdir(outDir)).some((f) => f.endsWith(`${summary.sessionId}.summary.json`));
        heard.push(written ? summary.sessionId : 'not written yet');
      },
    });
    try {
      await drive(platform.service, { id: 'acme' }, client(emails(150, 100)));
      const files = (await readdir(outDir)).sort();
      expect(files.filter((f) => f.endsWith('.summary.json'))).toHaveLength(1);
      expect(files.filter((f) => f.endsWith('.matches.csv'))).toHaveLength(1);
      const summary = JSON.parse(
        await readFile(
          join(
            outDir,
            files.find((f) => f.endsWith('.summary.json'))!,
          ),
          'utf8',
        ),
      );
      expect(summary).toMatchObject({ tokenId: 'acme', matched: 50, peerSize: 100 });
      expect(heard).toEqual([summary.sessionId]);
    } finally {
      await platform.close();
    }
    // Closed: the state directory's lock is free for the next service.
    await (await openServiceState(join(dir, 'state'))).close();
  });

  it('closes what it opened when the service cannot be built: the state directory stays free', async () => {
    const stateDir = join(dir, 'state-bad-options');
    expect(await codeOf(() => openPlatform({ items: users, stateDir, keyRotation: -1, workers: 1 }))).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => openPlatform({ items: users, stateDir, maxSessions: 0, workers: 1 }))).toBe('OPTIONS_INVALID');
    await (await openServiceState(stateDir)).close();
  });

  it('refuses an unusable outDir before it opens the state', async () => {
    const stateDir = join(dir, 'state-bad-out');
    expect(await codeOf(() => openPlatform({ items: users, stateDir, outDir: '/proc/blindjoin-x' }))).toBe('OUT_DIR_UNUSABLE');
    expect(existsSync(stateDir)).toBe(false);
  });
});

describe('servePlatform', () => {
  it('takes the platform over: a server that cannot start closes it', async () => {
    const stateDir = join(dir, 'state-no-ui');
    const platform = await openPlatform({ items: users, disclosure: 'exact', workers: 1, stateDir });
    expect(await codeOf(() => servePlatform(platform, { ui: join(dir, 'no-such-ui') }))).toBe('UI_MISSING');
    expect(platform.service.closing).toBe(true);
    await (await openServiceState(stateDir)).close();
  });

  it('startPsiServer refuses a bad listening option before the state directory is touched', async () => {
    const stateDir = join(dir, 'state-bad-cors');
    expect(await codeOf(() => startPsiServer({ items: users, stateDir, corsOrigins: ['https://*.example'] }))).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => startPsiServer({ items: users, stateDir, maxConnections: 0 }))).toBe('OPTIONS_INVALID');
    expect(existsSync(stateDir)).toBe(false);
  });
});
