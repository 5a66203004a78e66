import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import type { PsiError } from '../../src/errors.js';
import { fileAudienceStore } from '../../src/service/audiences/file-records.js';
import { audienceFileName } from '../../src/wire/audience.js';
import { parseTokens } from '../../src/service/tokens.js';
import { matchWith } from '../../src/transport/client.js';
import type { HttpPort } from '../../src/transport/http-port.js';
import { nodePort } from '../../src/transport/http-request.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { ServiceError } from '../../src/transport/service-errors.js';
import { startPsiServer, type PsiServer, type PsiServerOptions } from '../../src/transport/server.js';
import { codeOf } from '../protocol/helpers.js';
import { emails, raw } from '../transport/helpers.js';

const users = emails(0, 60);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bj-aud-'));
  dirs.push(dir);
  return dir;
}

async function withService<T>(opts: Partial<PsiServerOptions>, fn: (s: PsiServer, out: string) => Promise<T>): Promise<T> {
  const out = opts.outDir ?? (await tempDir());
  const service = await startPsiServer({
    items: users,
    workers: 1,
    minItems: 1,
    budget: new MemoryBudget({ budget: 1000 }),
    outDir: out,
    ...opts,
  });
  try {
    return await fn(service, out);
  } finally {
    await service.close();
  }
}

/** The user ids in the audience's file under --out, or undefined when there is no file. */
async function fileMembers(out: string, tokenId: string, name: string): Promise<string[] | undefined> {
  try {
    const text = await readFile(join(out, 'audiences', tokenId, `${audienceFileName(name)}.csv`), 'utf8');
    const [header, ...lines] = text.trimEnd().split('\n');
    expect(header).toBe('value');
    return lines.sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function changeLog(out: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(out, 'audiences.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const match = (url: string, items: string[], name: string, mode: 'replace' | 'add' | 'remove', token?: string) =>
  matchOverHttp({ server: url, items, workers: 1, audience: { name, mode }, ...(token === undefined ? {} : { token }) });

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('named audiences over HTTP', () => {
  it('keeps the file under --out equal to a set model through random create, add, remove, replace and delete', async () => {
    // Client lists draw from the platform's 60 users and from 20 addresses that are not users.
    const pool = [...users, ...emails(0, 20, 'x')];
    const list = fc.uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { minLength: 1, maxLength: 30 });
    const op = fc.oneof(
      fc.record({ kind: fc.constantFrom('replace' as const, 'add' as const, 'remove' as const), list }),
      fc.constant({ kind: 'delete' as const, list: [] as number[] }),
    );
    await withService({}, async (service, out) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 5 }), async (ops) => {
          const name = `Spring buyers ${run++} / ünïcode`;
          let model: Set<string> | undefined;
          for (const { kind, list: picks } of ops) {
            const items = picks.map((i) => pool[i]!);
            const matched = items.filter((x) => x.startsWith('p'));
            if (kind === 'delete') {
              const reply = await raw(service.url, 'DELETE', `/v1/audiences/${encodeURIComponent(name)}`);
              expect(reply.status).toBe(model === undefined ? 404 : 204);
              model = undefined;
            } else if (kind === 'remove' && model === undefined) {
              expect(await codeOf(() => match(service.url, items, name, kind))).toBe('AUDIENCE_NOT_FOUND');
            } else {
              const result = await match(service.url, items, name, kind);
              if (kind === 'replace' || model === undefined) model = new Set(matched);
              else if (kind === 'add') matched.forEach((x) => model!.add(x));
              else matched.forEach((x) => model!.delete(x));
              expect(result.audience?.name).toBe(name);
            }
            expect(await fileMembers(out, 'anonymous', name)).toEqual(model === undefined ? undefined : [...model].sort());
            const shown = await raw(service.url, 'GET', `/v1/audiences/${encodeURIComponent(name)}`);
            expect(shown.status).toBe(model === undefined ? 404 : 200);
          }
        }),
        { numRuns: 12 },
      );
      const log = await changeLog(out);
      for (const e of log) {
        expect(['created', 'replaced', 'added', 'removed', 'deleted']).toContain(e.change);
        expect(Number.isSafeInteger(e.users)).toBe(true);
      }
      // Counts only: no user id and no token ever reaches the change log.
      const text = JSON.stringify(log);
      for (const u of users) expect(text).not.toContain(u);
    });
  });

  it('logs created, added, removed, replaced and deleted with counts, and lists and shows the audience', async () => {
    await withService({}, async (service, out) => {
      const name = 'Spring buyers';
      const created = await match(service.url, [...users.slice(0, 10), ...emails(0, 5, 'x')], name, 'replace');
      expect(created.released).toBeDefined();
      expect(created.audience).toMatchObject({ name, mode: 'replace', usable: false });
      await match(service.url, users.slice(10, 15), name, 'add');
      await match(service.url, users.slice(0, 3), name, 'remove');
      expect(await fileMembers(out, 'anonymous', name)).toEqual(users.slice(3, 15).sort());
      await match(service.url, users.slice(40, 42), name, 'replace');
      expect(await fileMembers(out, 'anonymous', name)).toEqual(users.slice(40, 42).sort());

      const list = (await raw(service.url, 'GET', '/v1/audiences')).json() as unknown as { audiences: Record<string, unknown>[] };
      expect(list.audiences.map((a) => a.name)).toEqual([name]);
      expect(Object.keys(list.audiences[0]!).sort()).toEqual(['createdAt', 'name', 'released', 'updatedAt', 'usable', 'users']);
      const shown = (await raw(service.url, 'GET', `/v1/audiences/${encodeURIComponent(name)}`)).json() as Record<string, unknown>;
      const history = shown.history as { change: string; users?: number }[];
      expect(history.map((h) => h.change)).toEqual(['created', 'added', 'removed', 'replaced']);
      // Under a policy the advertiser never sees an exact member count.
      expect(history.every((h) => h.users === undefined)).toBe(true);

      expect((await raw(service.url, 'DELETE', `/v1/audiences/${encodeURIComponent(name)}`)).status).toBe(204);
      expect(await fileMembers(out, 'anonymous', name)).toBeUndefined();
      const log = await changeLog(out);
      expect(log.map((e) => [e.change, e.users, e.count])).toEqual([
        ['created', 10, 10],
        ['added', 15, 5],
        ['removed', 12, 3],
        ['replaced', 2, 2],
        ['deleted', 0, undefined],
      ]);
      expect(log.every((e) => e.tokenId === 'anonymous' && e.audience === name)).toBe(true);
    });
  });

  it('deletes an audience not refreshed within the retention, and logs it as expired', async () => {
    await withService({ audienceRetentionMs: 1 }, async (service, out) => {
      await match(service.url, users.slice(0, 5), 'Old', 'replace');
      await new Promise((r) => setTimeout(r, 5));
      const reply = await raw(service.url, 'GET', '/v1/audiences/Old');
      expect(reply.status).toBe(404);
      expect(reply.json().code).toBe('AUDIENCE_NOT_FOUND');
      expect(await fileMembers(out, 'anonymous', 'Old')).toBeUndefined();
      expect((await changeLog(out)).map((e) => e.change)).toEqual(['created', 'expired']);
    });
  });

  it('expires at start what outlived the retention while the service was down', async () => {
    const out = await tempDir();
    const store = fileAudienceStore(out);
    await store.update('anonymous', 'Stale', { mode: 'replace', columns: ['value'], users: [['a']], released: null, sent: 1, at: 0 });
    await withService({ outDir: out, audienceRetentionMs: 540 * 86_400_000 }, async () => {
      for (let i = 0; i < 50 && (await changeLog(out)).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await changeLog(out)).map((e) => e.change)).toEqual(['created', 'expired']);
      expect(await fileMembers(out, 'anonymous', 'Stale')).toBeUndefined();
    });
  });

  it('a remove session costs no budget, returns no figure, and drops the removed user from the file', async () => {
    await withService({ budget: new MemoryBudget({ budget: 1 }) }, async (service, out) => {
      const name = 'Newsletter';
      const first = await match(service.url, users.slice(0, 20), name, 'replace');
      expect(first.budget).toMatchObject({ spent: 0.25, remaining: 0.75, releasesLeft: 3 });
      const removed = await match(service.url, [users[4]!, 'stranger@example.com'], name, 'remove');
      expect(removed.learn).toBe('none');
      expect(removed.released).toBeUndefined();
      expect(removed.size).toBeUndefined();
      expect(removed.budget).toEqual(first.budget);
      const members = await fileMembers(out, 'anonymous', name);
      expect(members).not.toContain(users[4]);
      expect(members).toHaveLength(19);
      // The released figure stays; the rows sent are taken off the size the advertiser is shown.
      expect(removed.audience?.released).toEqual(first.released);
    });
  });

  it('refuses a remove session claiming to learn a figure, and a bad name before any blinding', async () => {
    await withService({}, async (service) => {
      await match(service.url, users.slice(0, 5), 'A', 'replace');
      expect(
        await codeOf(() =>
          matchOverHttp({ server: service.url, items: users, audience: { name: 'A', mode: 'remove' }, learn: 'released' }),
        ),
      ).toBe('OPTIONS_INVALID');
      for (const name of ['', 'x'.repeat(101), 'tab\there', 'nl\n']) {
        expect(await codeOf(() => match(service.url, users, name, 'replace'))).toBe('AUDIENCE_NAME_INVALID');
      }
      // The service checks on its own: a raw HELLO with a bad header is refused before its body is read as a session.
      const reply = await raw(service.url, 'POST', '/v1/sessions', {
        headers: { 'content-type': 'application/octet-stream', 'blindjoin-audience': '%ZZ' },
        body: new Uint8Array(64),
      });
      expect(reply.status).toBe(400);
      expect(reply.json().code).toBe('AUDIENCE_NAME_INVALID');
      expect((await raw(service.url, 'GET', `/v1/audiences/${'x'.repeat(101)}`)).json().code).toBe('AUDIENCE_NAME_INVALID');
    });
  });

  it('accepts a remove session only when the client learns none, and audiences only when the service learns who matched', async () => {
    await withService({}, async (service) => {
      await match(service.url, users.slice(0, 5), 'A', 'replace');
      // A client that asks for the released figure while its header says remove is refused before any blinding.
      const inner = nodePort();
      const lying: HttpPort = {
        request: (method, url, init) =>
          inner.request(method, url, {
            ...init,
            headers: 'blindjoin-audience-mode' in init.headers ? { ...init.headers, 'blindjoin-audience-mode': 'remove' } : init.headers,
          }),
        close: () => inner.close(),
      };
      try {
        const e = await matchWith(lying, { server: service.url, items: users, workers: 1, retries: 0, audience: { name: 'A' } }).catch(
          (x: unknown) => x,
        );
        expect((e as PsiError).code).toBe('MODE_MISMATCH');
      } finally {
        lying.close();
      }
    });
    await withService({ disclosure: 'exact', learn: 'size', peerLearns: 'size' }, async (service) => {
      expect(await codeOf(() => match(service.url, users, 'A', 'replace'))).toBe('AUDIENCE_UNAVAILABLE');
    });
  });

  it('never lets two tokens with the same audience name see or change each other’s', async () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const tokens = parseTokens(`acme ${a}\nglobex ${b}\n`);
    await withService({ tokens }, async (service, out) => {
      await match(service.url, users.slice(0, 10), 'Spring', 'replace', a);
      await match(service.url, users.slice(30, 33), 'Spring', 'replace', b);
      expect(await fileMembers(out, 'acme', 'Spring')).toEqual(users.slice(0, 10).sort());
      expect(await fileMembers(out, 'globex', 'Spring')).toEqual(users.slice(30, 33).sort());
      // globex removes and deletes its own 'Spring' only.
      await match(service.url, users.slice(0, 10), 'Spring', 'remove', b);
      expect(await fileMembers(out, 'acme', 'Spring')).toEqual(users.slice(0, 10).sort());
      expect((await raw(service.url, 'DELETE', '/v1/audiences/Spring', { headers: auth(b) })).status).toBe(204);
      expect((await raw(service.url, 'GET', '/v1/audiences/Spring', { headers: auth(b) })).status).toBe(404);
      expect((await raw(service.url, 'DELETE', '/v1/audiences/Spring', { headers: auth(b) })).json().code).toBe('AUDIENCE_NOT_FOUND');
      const acme = (await raw(service.url, 'GET', '/v1/audiences', { headers: auth(a) })).json() as unknown as {
        audiences: { name: string }[];
      };
      expect(acme.audiences.map((x) => x.name)).toEqual(['Spring']);
      expect(await fileMembers(out, 'acme', 'Spring')).toEqual(users.slice(0, 10).sort());
      expect((await raw(service.url, 'GET', '/v1/audiences')).status).toBe(401);
    });
  });

  it('decides "usable" alike for platform sets D and D plus one target when the noised figure is the same', async () => {
    // 99 known users and one target: an exact-count rule would say whether the target is a user.
    const d = emails(0, 150);
    const target = 'target@example.com';
    const list = [...d.slice(0, 99), target];
    const noiseKey = new Uint8Array(32).fill(7);
    const policy = { epsilon: 10, significantDigits: 1, threshold: 50 };
    const seen = [];
    for (const items of [d, [...d, target]]) {
      seen.push(
        await withService({ items, noiseKey, policy, minAudience: 100 }, async (service, out) => {
          const result = await match(service.url, list, 'Lookalike', 'replace');
          return { released: result.released, usable: result.audience?.usable, members: await fileMembers(out, 'anonymous', 'Lookalike') };
        }),
      );
    }
    const [without, withTarget] = seen as [(typeof seen)[0], (typeof seen)[0]];
    expect(without.members).toHaveLength(99);
    expect(withTarget.members).toHaveLength(100);
    expect(withTarget.released).toEqual(without.released);
    expect(without.released?.value).toBe(100);
    expect(withTarget.usable).toBe(without.usable);
    expect(without.usable).toBe(true);
  });

  it('leaves the old audience intact when the audience write fails after the session', async () => {
    const out = await tempDir();
    let fail: string | undefined;
    const { writeFileAtomic } = await import('../../src/atomic-file.js');
    const audiences = fileAudienceStore(out, {
      writeFile: async (path, data) => {
        if (fail !== undefined && path.endsWith(fail)) throw new Error('disk full (injected)');
        await writeFileAtomic(path, data);
      },
    });
    const lines: string[] = [];
    await withService({ outDir: out, audiences, log: (line) => lines.push(line) }, async (service) => {
      await match(service.url, users.slice(0, 10), 'Kept', 'replace');
      const before = await fileMembers(out, 'anonymous', 'Kept');
      const shownBefore = (await raw(service.url, 'GET', '/v1/audiences/Kept')).json();
      // Fails at the metadata (the first write), then at the members file (the commit point).
      for (const suffix of ['.json', '.csv']) {
        fail = suffix;
        const e = await matchOverHttp({
          server: service.url,
          items: users.slice(20, 30),
          workers: 1,
          retries: 0,
          audience: { name: 'Kept', mode: 'replace' },
        }).catch((x: unknown) => x);
        // The write follows the last answer; the session's status reports it failed, and the client reports no result.
        expect(e).toBeInstanceOf(ServiceError);
        expect((e as ServiceError).code).toBe('AUDIENCE_WRITE_FAILED');
        expect((e as ServiceError).status).toBe(500);
        expect(lines.filter((l) => l.includes('AUDIENCE_WRITE_FAILED'))).toHaveLength(suffix === '.json' ? 1 : 2);
        fail = undefined;
        expect(await fileMembers(out, 'anonymous', 'Kept')).toEqual(before);
        expect((await raw(service.url, 'GET', '/v1/audiences/Kept')).json()).toEqual(shownBefore);
      }
    });
  });
});
