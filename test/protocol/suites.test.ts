import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { PsiError } from '../../src/errors.js';
import type { BackendChoice } from '../../src/group/load.js';
import { acquirePool } from '../../src/pool/registry.js';
import { groupSuite, type GroupName } from '../../src/group/suite.js';
import { blindSet, DEFAULT_GROUP } from '../../src/primitives.js';
import { createParty, runLocal } from '../../src/node.js';
import { encodeFrame } from '../../src/primitives.js';
import { PsiParty } from '../../src/protocol/party.js';
import { protocolSuite } from '../../src/protocol/suite.js';
import type { PartyOptions } from '../../src/protocol/types.js';
import { X25519_HASH_DST, HASH_TO_GROUP_DST } from '../../src/protocol/version.js';
import { decodeHandshake, encodeChunk, encodeHandshake, GROUP_RISTRETTO255, GROUP_X25519 } from '../../src/wire/messages.js';
import { x25519NobleBackend } from '../../src/group/x25519/noble.js';
import { expandMessages } from '../../src/group/hash.js';
import { codeOf, naive, pair, pump, seeded } from './helpers.js';

async function errorOf(fn: () => unknown): Promise<PsiError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof PsiError) return e;
    throw e;
  }
  throw new Error('expected a PsiError');
}

describe('suite descriptors', () => {
  it('the protocol owns one wire code and one DST per suite, and x25519 is the default', () => {
    expect(protocolSuite('ristretto255')).toMatchObject({
      name: 'ristretto255',
      code: GROUP_RISTRETTO255,
      dst: HASH_TO_GROUP_DST,
      elementBytes: 32,
    });
    expect(protocolSuite('x25519')).toMatchObject({ name: 'x25519', code: GROUP_X25519, dst: X25519_HASH_DST, elementBytes: 32 });
    expect(GROUP_X25519).toBe(2);
    expect(DEFAULT_GROUP).toBe('x25519');
    expect(protocolSuite().name).toBe('x25519');
  });

  it('x25519 keys are clamped and drawn from the given random source', () => {
    const key = groupSuite('x25519').randomKey(() => new Uint8Array(32).fill(0xff));
    expect(key[0]! & 7).toBe(0);
    expect(key[31]).toBe(0x7f);
    expect(groupSuite('x25519').randomKey(seeded('k'))).toEqual(groupSuite('x25519').randomKey(seeded('k')));
  });

  it('a party announces its suite in the handshake', async () => {
    for (const [group, code] of [
      [undefined, GROUP_X25519],
      ['x25519', GROUP_X25519],
      ['ristretto255', GROUP_RISTRETTO255],
    ] as const) {
      const hello = (
        await createParty({ role: 'initiator', items: ['a'], learn: 'size', peerLearns: 'size', group, workers: 1 }).step()
      )[0]!;
      expect(decodeHandshake(hello.subarray(32)).group).toBe(code);
    }
  });
});

describe('GROUP_MISMATCH', () => {
  it.each([
    ['ristretto255', 'x25519'],
    ['x25519', 'ristretto255'],
  ] as const)('an initiator on %s and a responder on %s refuse each other, naming both suites', async (mine, theirs) => {
    const initiator = createParty({ role: 'initiator', items: ['a'], learn: 'size', peerLearns: 'size', group: mine, workers: 1 });
    const responder = createParty({ role: 'responder', items: ['a'], learn: 'size', peerLearns: 'size', group: theirs, workers: 1 });
    const e = await errorOf(() => runLocal(initiator, responder));
    expect(e.code).toBe('GROUP_MISMATCH');
    expect(e.message).toBe(`peer uses ${mine}, this party uses ${theirs}`);
  });

  it.each([
    ['ristretto255', GROUP_X25519, 'x25519'],
    ['x25519', GROUP_RISTRETTO255, 'ristretto255'],
    ['x25519', 9, 'unknown group 9'],
  ] as const)('an initiator on %s refuses an ACCEPT of group %i', async (group, code, name) => {
    const initiator = createParty({ role: 'initiator', items: ['a'], learn: 'size', peerLearns: 'none', group, workers: 1 });
    const hello = (await initiator.step())[0]!;
    const accept = encodeFrame(
      'accept',
      hello.subarray(8, 24),
      0,
      encodeHandshake({ group: code, learn: 'none', peerLearns: 'size', itemCount: 1 }),
    );
    const e = await errorOf(() => initiator.step(accept));
    expect(e.code).toBe('GROUP_MISMATCH');
    expect(e.message).toBe(`peer uses ${name}, this party uses ${group}`);
  });
});

describe('options', () => {
  const base = { role: 'initiator', items: ['a'], learn: 'size', peerLearns: 'size' } as const;
  it.each([
    ['an unknown group', { ...base, group: 'p256' }, 'OPTIONS_INVALID'],
    ['an x25519-only backend on ristretto255', { ...base, group: 'ristretto255', backend: 'sodium-native' }, 'BACKEND_UNAVAILABLE'],
    ['webcrypto on ristretto255', { ...base, group: 'ristretto255', backend: 'webcrypto' }, 'BACKEND_UNAVAILABLE'],
    ['an unknown backend on x25519', { ...base, group: 'x25519', backend: 'wasm' }, 'BACKEND_UNKNOWN'],
  ])('refuses %s', async (_, opts, code) => {
    expect(await codeOf(() => createParty(opts as unknown as PartyOptions))).toBe(code);
  });

  it('says which backends the suite has', async () => {
    const e = await errorOf(() => createParty({ ...base, group: 'ristretto255', backend: 'sodium-native' }));
    expect(e.message).toMatch(/does not exist for group ristretto255: use 'auto', 'sodium', 'noble'/);
  });

  it('a blinded set decides the suite; naming another one is refused', async () => {
    const set = await blindSet(['a', 'b'], { group: 'ristretto255', workers: 1 });
    expect(set.group).toBe('ristretto255');
    const responder = createParty({ role: 'responder', blindedSet: set, learn: 'size', peerLearns: 'size', workers: 1 });
    const initiator = createParty({
      role: 'initiator',
      items: ['b', 'c'],
      learn: 'size',
      peerLearns: 'size',
      group: 'ristretto255',
      workers: 1,
    });
    await runLocal(initiator, responder);
    expect(initiator.result().size).toBe(1);
    expect(
      await codeOf(() => createParty({ role: 'responder', blindedSet: set, learn: 'size', peerLearns: 'size', group: 'x25519' })),
    ).toBe('OPTIONS_INVALID');
    expect(await codeOf(() => blindSet(['a'], { group: 'x25519', key: new Uint8Array(32) }))).toBe('SCALAR_INVALID');
    expect(await codeOf(() => blindSet(['a'], { group: 'ristretto255', backend: 'sodium-native' }))).toBe('BACKEND_UNAVAILABLE');
    set.destroy();
  });

  it('an x25519 blinded set under a fixed key serves sessions on the pool', async () => {
    const set = await blindSet(['a', 'b', 'c'], { group: 'x25519', key: new Uint8Array(32).fill(3), workers: 2 });
    const initiator = createParty({ role: 'initiator', items: ['c', 'd'], learn: 'intersection', peerLearns: 'size', workers: 2 });
    const responder = createParty({ role: 'responder', blindedSet: set, learn: 'size', peerLearns: 'intersection', workers: 2 });
    await runLocal(initiator, responder);
    expect(initiator.result().matches).toEqual([0]);
    expect(responder.result().size).toBe(1);
    set.destroy();
  });
});

/** Runs one seeded session and returns its frames in hex. */
async function seededFrames(
  group: GroupName,
  backend: BackendChoice,
  workers: number,
  mine: string[],
  theirs: string[],
): Promise<string[]> {
  const common = { group, backend, workers, chunkItems: 64 } as const;
  const initiator = new PsiParty(
    { ...common, role: 'initiator', items: mine, learn: 'intersection', peerLearns: 'size' },
    { random: seeded(`i/${group}`) },
  );
  const responder = new PsiParty(
    { ...common, role: 'responder', items: theirs, learn: 'size', peerLearns: 'intersection' },
    { random: seeded(`r/${group}`) },
  );
  const sent = await pump(initiator, responder);
  expect(initiator.result().matches).toEqual(naive(mine, theirs).matches);
  return sent.map((s) => bytesToHex(s.frame));
}

describe('differential: same seeded randomness, same bytes on every backend and thread count', () => {
  const mine = Array.from({ length: 300 }, (_, i) => `user${i}@example.com`);
  const theirs = Array.from({ length: 200 }, (_, i) => `user${i * 3}@example.com`);
  it.each([
    ['x25519', ['noble', 'sodium', 'sodium-native', 'webcrypto']],
    ['ristretto255', ['noble', 'sodium']],
  ] as const)(
    '%s',
    async (group, backends) => {
      const reference = await seededFrames(group, 'noble', 1, mine, theirs);
      for (const backend of backends) {
        for (const workers of backend === 'noble' ? [1] : [1, 2]) {
          expect(await seededFrames(group, backend, workers, mine, theirs), `${backend} on ${workers} workers`).toEqual(reference);
        }
      }
    },
    60_000,
  );
});

describe('x25519 peer elements', () => {
  it('catches torsion variants of one element as duplicates after re-blinding', async () => {
    // u and 1/u are P and P + (0, 0): a clamped key (a multiple of 8) maps both to the same value.
    const u = x25519NobleBackend.fromUniform(expandMessages(['a@example.com'], X25519_HASH_DST));
    const p = 2n ** 255n - 19n;
    const inverse = numberToBytesLE(ed25519.Point.Fp.inv(bytesToNumberLE(u)) % p, 32);
    const responder = createParty({ role: 'responder', items: ['x'], learn: 'size', peerLearns: 'size', group: 'x25519', workers: 1 });
    const id = new Uint8Array(16).fill(5);
    await responder.step(
      encodeFrame('hello', id, 0, encodeHandshake({ group: GROUP_X25519, learn: 'size', peerLearns: 'size', itemCount: 2 })),
    );
    const blinded = encodeFrame('blinded', id, 1, encodeChunk({ offset: 0, elements: concatBytes(u, inverse) }));
    const e = await errorOf(() => responder.step(blinded));
    expect(e.code).toBe('PEER_DUPLICATE');
  });

  it('refuses a small-order element with POINT_INVALID', async () => {
    const responder = createParty({ role: 'responder', items: ['x'], learn: 'size', peerLearns: 'size', group: 'x25519', workers: 1 });
    const id = new Uint8Array(16).fill(6);
    await responder.step(
      encodeFrame('hello', id, 0, encodeHandshake({ group: GROUP_X25519, learn: 'size', peerLearns: 'size', itemCount: 1 })),
    );
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(await codeOf(() => responder.step(encodeFrame('blinded', id, 1, encodeChunk({ offset: 0, elements: one }))))).toBe(
      'POINT_INVALID',
    );
  });

  it('pools are keyed by suite as well as backend and size', () => {
    const a = acquirePool('sodium', 2, 'x25519');
    const b = acquirePool('sodium', 2, 'ristretto255');
    const c = acquirePool('sodium', 2);
    expect(a.pool).not.toBe(b.pool);
    expect(b.pool).toBe(c.pool);
    expect(a.pool.group).toBe('x25519');
    for (const lease of [a, b, c]) lease.release();
  });
});

describe('both suites give the same session results', () => {
  it('on a mixed set with duplicates', async () => {
    const mine = ['a', 'b', 'a', 'c', 'Zoë', ''];
    const theirs = ['c', 'b', 'x', ''];
    const results = [];
    for (const group of ['ristretto255', 'x25519'] as const) {
      const [initiator, responder] = pair(mine, theirs, 'intersection', 'intersection', { group, backend: 'auto', workers: 2 });
      await runLocal(initiator, responder);
      results.push([initiator.result(), responder.result()]);
    }
    expect(results[0]).toEqual(results[1]);
  });
});
