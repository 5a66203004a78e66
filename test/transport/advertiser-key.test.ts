/**
 * The advertiser's key is the advertiser's secret: a key derived from the list
 * alone would let the platform, which learns every matched item, recompute it
 * for each guess of the few unmatched ones and test the guess offline.
 */
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterEach, describe, expect, it } from 'vitest';
import { keyedSource } from '../../src/random/drbg.js';
import { blindSet } from '../../src/primitives.js';
import { createParty, psiItem } from '../../src/node.js';
import { isSyncX25519Backend, loadX25519Backend } from '../../src/group/x25519/load.js';
import { prepareItems } from '../../src/protocol/items.js';
import { protocolSuite } from '../../src/protocol/suite.js';
import { advertiserSecret, defaultKeyFile } from '../../src/transport/advertiser-key.js';
import { matchOverHttp } from '../../src/transport/match-over-http.js';
import { startPsiServer } from '../../src/transport/server.js';
import { MemoryBudget } from '../../src/disclosure/memory-budget.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { decodeChunk } from '../../src/wire/messages.js';
import { codeOf, pump } from '../protocol/helpers.js';
import { emails } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bj-key-'));
  dirs.push(dir);
  return dir;
}

const suite = protocolSuite('x25519');
const utf8 = new TextEncoder();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The first 8 bytes of each item's hashed input, as the list digest sorts them. */
function prefixesOf(items: readonly Uint8Array[]): bigint[] {
  const { packed } = prepareItems(items, suite.dst);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  return Array.from({ length: packed.length / 64 }, (_, i) => view.getBigUint64(i * 64));
}

/** The published derivation: the key from a seed and the order-free digest (sorted prefixes) of the list's hashed items. */
function derivedKey(prefixes: bigint[], seed: Uint8Array): Uint8Array {
  const digest = sha256(new Uint8Array(BigUint64Array.from(prefixes).sort().buffer));
  const parts = [utf8.encode('blindjoin-v1 key seed'), seed, digest];
  return suite.randomKey(keyedSource(sha256(Uint8Array.from(parts.flatMap((p) => [...p]))), []));
}

describe("the platform's offline guess of an unmatched item", () => {
  // 150 customers the platform knows, and one phone number it does not: one of 10^4 candidates.
  const matched = emails(0, 150).map((e) => psiItem('email', e));
  const candidates = Array.from({ length: 10_000 }, (_, i) => `+1650555${String(i).padStart(4, '0')}`);
  const secretPhone = candidates[7321]!;
  const platformItems = [...emails(0, 400).map((e) => psiItem('email', e))];

  /** What the platform receives: the client's blinded elements, as hex. */
  async function received(keySeed: Uint8Array): Promise<Set<string>> {
    const items = [...matched, psiItem('phone', secretPhone)];
    const client = createParty({
      role: 'initiator',
      items,
      learn: 'size',
      peerLearns: 'intersection',
      keySeed,
      keyFromItems: true,
      workers: 1,
    });
    const platform = createParty({
      role: 'responder',
      blindedSet: await blindSet(platformItems, { key: suite.randomKey(), workers: 1 }),
      learn: 'intersection',
      peerLearns: 'size',
      workers: 1,
    });
    const sent = (await pump(client, platform)).filter((s) => s.to === 'responder').map((s) => decodeFrame(s.frame));
    const elements = sent.filter((f) => f.type === 'blinded').map((f) => decodeChunk(f.payload).elements);
    return new Set(elements.flatMap((e) => Array.from({ length: e.length / 32 }, (_, i) => hex(e.subarray(i * 32, i * 32 + 32)))));
  }

  /** The platform's search: for each candidate, recompute the key the list would have, and look for H(candidate)^a. */
  async function guess(seen: Set<string>, assumedSeed: Uint8Array): Promise<string | undefined> {
    const backend = await loadX25519Backend('auto');
    if (!isSyncX25519Backend(backend)) throw new Error('a synchronous backend is expected here');
    const known = prefixesOf(matched);
    for (const phone of candidates) {
      const uniform = prepareItems([psiItem('phone', phone)], suite.dst).packed;
      const key = derivedKey([...known, new DataView(uniform.buffer, uniform.byteOffset).getBigUint64(0)], assumedSeed);
      const element = backend.blindUniform(uniform, key);
      if (seen.has(hex(element))) return phone;
    }
    return undefined;
  }

  it('succeeds against a key derived from the list and public data, and fails against the advertiser secret', async () => {
    // A public seed stands for any key that is a function of the list alone (the platform knows the function).
    const publicSeed = utf8.encode('a seed everyone knows');
    expect(await guess(await received(publicSeed), publicSeed)).toBe(secretPhone);
    const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 255);
    expect(await guess(await received(secret), publicSeed)).toBeUndefined();
  });

  it('refuses keyFromItems without a secret', () => {
    expect(() => createParty({ role: 'initiator', items: ['a'], learn: 'size', peerLearns: 'intersection', keyFromItems: true })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
  });
});

describe('the key file', () => {
  it('is created 0600 in the config directory, one per service origin, and read back', async () => {
    const dir = await tempDir();
    const env = { BLINDJOIN_CONFIG_DIR: dir };
    const path = defaultKeyFile('http://127.0.0.1:8080/psi/', env);
    expect(path).toBe(join(dir, 'keys', 'http_127.0.0.1_8080.key'));
    expect(defaultKeyFile('https://psi.example', env)).toBe(join(dir, 'keys', 'https_psi.example_443.key'));
    const secret = await advertiserSecret(path);
    expect(secret).toHaveLength(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await advertiserSecret(path)).toEqual(secret);
  });

  it('is refused when group- or world-readable, and when it does not hold 32 bytes', async () => {
    const dir = await tempDir();
    for (const mode of [0o640, 0o604, 0o660]) {
      const path = join(dir, `k${mode.toString(8)}.key`);
      await writeFile(path, new Uint8Array(32));
      await chmod(path, mode);
      expect(await codeOf(() => advertiserSecret(path))).toBe('KEY_FILE_EXPOSED');
    }
    const short = join(dir, 'short.key');
    await writeFile(short, new Uint8Array(5), { mode: 0o600 });
    expect(await codeOf(() => advertiserSecret(short))).toBe('KEY_FILE_INVALID');
  });

  it('gives a repeated list the identical figure and bytes; another key file, other bytes; the secret is never sent', async () => {
    const dir = await tempDir();
    const bodies: Buffer[] = [];
    const service = await startPsiServer({ items: emails(0, 300), minItems: 100, workers: 1, budget: new MemoryBudget({ budget: 100 }) });
    try {
      const list = emails(150, 200);
      const run = async (file: string) => {
        const keySeed = await advertiserSecret(join(dir, file));
        const result = await matchOverHttp({
          server: service.url,
          items: list,
          keySeed,
          workers: 1,
        });
        return { result, keySeed };
      };
      const a1 = await run('a.key');
      const a2 = await run('a.key');
      const b = await run('b.key');
      expect(a2.result.released).toEqual(a1.result.released);
      expect(b.keySeed).not.toEqual(a1.keySeed);
      // The blinded set a list is sent as: the same under one secret, another under another.
      const sent = async (keySeed: Uint8Array) => {
        const client = createParty({
          role: 'initiator',
          items: list,
          learn: 'size',
          peerLearns: 'intersection',
          keySeed,
          keyFromItems: true,
          workers: 1,
        });
        const peer = createParty({ role: 'responder', items: ['z'], learn: 'intersection', peerLearns: 'size', workers: 1 });
        const frames = (await pump(client, peer)).filter((s) => s.to === 'responder').map((s) => Buffer.from(s.frame));
        bodies.push(...frames);
        return Buffer.concat(
          frames.filter((f) => decodeFrame(f).type === 'blinded').map((f) => Buffer.from(decodeChunk(decodeFrame(f).payload).elements)),
        );
      };
      expect((await sent(a1.keySeed)).equals(await sent(a1.keySeed))).toBe(true);
      expect((await sent(a1.keySeed)).equals(await sent(b.keySeed))).toBe(false);
      for (const body of bodies) expect(body.includes(Buffer.from(a1.keySeed))).toBe(false);
    } finally {
      await service.close();
    }
  });
});
