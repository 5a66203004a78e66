import { afterEach, describe, expect, it } from 'vitest';
import { warmBlindingThreads } from '../../src/group/create-blinder.js';
import { installBlindingThreads, type BlindingThreads } from '../../src/group/threads.js';
import { createParty } from '../../src/protocol/party.js';
import { runLocal } from '../../src/protocol/run-local.js';
import { blindSet } from '../../src/primitives.js';
import { SessionService } from '../../src/service/engine.js';
import '../../src/pool/install.js';
import { acquirePool, poolStats, stopIdlePools } from '../../src/pool/registry.js';
import { workerThreads } from '../../src/pool/threads.js';

/** Node's worker threads, with a log of what blinders and warm-ups ask of them. */
function spyThreads(): { threads: BlindingThreads; events: string[] } {
  const events: string[] = [];
  return {
    events,
    threads: {
      lease(backend, size, group) {
        const lease = workerThreads.lease(backend, size, group);
        events.push('lease');
        const { pool } = lease;
        return {
          pool: {
            size: pool.size,
            register: (key) => pool.register(key),
            unregister: (keyId) => pool.unregister(keyId),
            run: (op, keyId, data) => {
              events.push(`run ${op}`);
              return pool.run(op, keyId, data);
            },
            warm: async () => {
              events.push('warm');
              await pool.warm?.();
            },
          },
          release: () => {
            events.push('release');
            lease.release();
          },
        };
      },
    },
  };
}

afterEach(async () => {
  installBlindingThreads(workerThreads);
  await stopIdlePools();
});

describe('warm blinding threads', () => {
  it('starts every thread of the pool before any key exists, and holds the pool until released', async () => {
    const lease = await warmBlindingThreads({ group: 'ristretto255', backend: 'sodium', workers: 3, threads: workerThreads });
    const { pool } = acquirePool('sodium', 3);
    // Every thread answered, none ran a task.
    expect(await pool.heldKeys()).toEqual([0, 0, 0]);
    expect(pool.threadsUsed).toBe(0);
    expect(poolStats().leased).toBeGreaterThanOrEqual(1);
    lease!.release();
  });

  it('gives nothing where blinders compute inline (no threads)', async () => {
    installBlindingThreads(undefined);
    expect(await warmBlindingThreads({ group: 'x25519', workers: 2 })).toBeUndefined();
  });

  it("starts a party's threads when its session goes ahead, before its blinder exists, and lets them go to the blinder", async () => {
    const spy = spyThreads();
    installBlindingThreads(spy.threads);
    const platform = createParty({
      role: 'responder',
      blindedSet: await blindSet(['a@example.com', 'b@example.com'], { group: 'x25519', workers: 1 }),
      learn: 'intersection',
      peerLearns: 'none',
      workers: 2,
    });
    const advertiser = createParty({ role: 'initiator', items: ['b@example.com'], learn: 'none', peerLearns: 'intersection', workers: 2 });
    const start = spy.events.length;
    const hello = await advertiser.step();
    // The advertiser's own warm-up runs on after its step: let it land first.
    await expect.poll(() => spy.events.slice(start)).toEqual(['lease', 'warm']);
    const before = spy.events.length;
    await platform.step(hello[0]);
    // A blinded set answers HELLO without blinding: its threads are warmed all the same, no blinder leased yet.
    await expect.poll(() => spy.events.slice(before)).toEqual(['lease', 'warm']);
    await platform.close();
    await advertiser.close();
    const count = (name: string) => spy.events.filter((e) => e === name).length;
    await expect.poll(() => count('release')).toBe(count('lease'));
  });

  it('a whole session leases as many times as it releases, its warm-up included', async () => {
    const spy = spyThreads();
    installBlindingThreads(spy.threads);
    const advertiser = createParty({ role: 'initiator', items: ['a', 'b', 'c'], learn: 'size', peerLearns: 'none', workers: 2 });
    const platform = createParty({ role: 'responder', items: ['b', 'c', 'd'], learn: 'none', peerLearns: 'size', workers: 2 });
    await runLocal(advertiser, platform);
    expect(advertiser.result().size).toBe(2);
    await Promise.all([advertiser.close(), platform.close()]);
    const count = (name: string) => spy.events.filter((e) => e === name).length;
    expect(count('warm')).toBe(2);
    await expect.poll(() => count('release')).toBe(count('lease'));
  });

  it('a service holds its threads for its life and lets them go on close', async () => {
    const spy = spyThreads();
    installBlindingThreads(spy.threads);
    const service = new SessionService({ items: ['a@example.com'], disclosure: 'exact', workers: 2 });
    await expect.poll(() => spy.events.includes('warm')).toBe(true);
    expect(spy.events).not.toContain('release');
    await service.close();
    expect(spy.events.at(-1)).toBe('release');
  });
});
