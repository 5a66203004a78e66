import { randomBytes } from '@noble/hashes/utils.js';
import { randomBytes as randomFill } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PsiError } from '../../src/errors.js';
import { createBlinder, loadRistretto255Backend, ristretto255NobleBackend, randomScalar } from '../../src/group/index.js';
import { chunkedBlinder } from '../../src/group/chunked-blinder.js';
import { installBlindingThreads } from '../../src/group/threads.js';
// createBlinder's default threads, as the service, the Node entry and the CLI install them.
import '../../src/pool/install.js';
import { acquirePool, IDLE_MS, poolStats, stopIdlePools, type PoolLease } from '../../src/pool/registry.js';
import { workerThreads } from '../../src/pool/threads.js';
import { expectThreadsMatchInline } from '../group/threads-match-inline.js';

const sodium = await loadRistretto255Backend('sodium');

/** Packed uniform strings of `n` items. */
const uniformOf = (n: number) => randomBytes(n * 64);

/** Rejection of a promise as code and message, to compare with the inline error. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PsiError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

function inlineFailure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof PsiError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a throw');
}

describe('worker pool blinder', () => {
  // Held for the whole suite so that blinders opened and closed per case share warm threads.
  let warm: PoolLease;
  beforeAll(() => {
    warm = acquirePool('sodium', 2);
  });
  afterAll(async () => {
    warm.release();
    expect(poolStats().leased).toBe(0);
    await stopIdlePools();
    expect(poolStats()).toEqual({ leased: 0, idle: 0 });
  });

  it('is byte-identical to inline for random call and piece sizes', async () => {
    await expectThreadsMatchInline(sodium, randomScalar, () => acquirePool('sodium', 2), 25);
  });

  it('runs the noble backend in its threads too', async () => {
    const key = randomScalar();
    const blinder = chunkedBlinder(ristretto255NobleBackend, key.slice(), acquirePool('noble', 2), { inlineBelow: 0, pieceItems: 3 });
    const uniform = uniformOf(10);
    const mine = await blinder.blind(uniform);
    expect(mine).toEqual(sodium.blindUniform(uniform, key));
    expect(await blinder.reblind(mine)).toEqual(sodium.multiply(mine, key));
    await blinder.close();
  });

  it('surfaces a worker POINT_INVALID with the index of the first bad element in the whole call', async () => {
    const key = randomScalar();
    const blinder = chunkedBlinder(sodium, key.slice(), acquirePool('sodium', 2), { inlineBelow: 0, pieceItems: 8 });
    const elements = sodium.fromUniform(uniformOf(50));
    elements.fill(0xff, 37 * 32, 38 * 32);
    const expected = inlineFailure(() => sodium.multiply(elements, key));
    expect(expected.message).toMatch(/^element 37 /);
    expect(await failure(blinder.reblind(elements))).toEqual(expected);
    elements.fill(0, 13 * 32, 14 * 32);
    expect(await failure(blinder.reblind(elements))).toEqual(inlineFailure(() => sodium.multiply(elements, key)));
    expect(await failure(blinder.reblind(new Uint8Array(33)))).toMatchObject({ code: 'PACKED_LENGTH_INVALID' });
    await blinder.close();
    expect(await failure(blinder.reblind(elements))).toMatchObject({ code: 'BLINDER_CLOSED' });
  });

  it('close zeroises the key here and makes every thread forget its copy', async () => {
    const first = randomScalar();
    // A Buffer in Node's shared slab: only its 32 bytes may travel, and they must still be wiped.
    const second = Buffer.from(randomScalar());
    const secondKey = new Uint8Array(second);
    const a = chunkedBlinder(sodium, first, acquirePool('sodium', 2), { inlineBelow: 0 });
    const b = chunkedBlinder(sodium, second, acquirePool('sodium', 2), { inlineBelow: 0 });
    const uniform = uniformOf(4);
    const [, fromB] = await Promise.all([a.blind(uniform), b.blind(uniform)]);
    expect(fromB).toEqual(sodium.blindUniform(uniform, secondKey));
    const before = await warm.pool.heldKeys();
    expect(before.length).toBe(2);
    await a.close();
    expect(first.every((x) => x === 0)).toBe(true);
    expect(await warm.pool.heldKeys()).toEqual(before.map((n) => n - 1));
    await a.close();
    await b.close();
    expect(second.every((x) => x === 0)).toBe(true);
    expect(await warm.pool.heldKeys()).toEqual(before.map((n) => n - 2));
  });

  it('serves many concurrent blinders through createBlinder and lets the pool idle after the last close', async () => {
    const keys = Array.from({ length: 12 }, () => randomScalar());
    const blinders = await Promise.all(keys.map((key) => createBlinder({ key: key.slice(), backend: 'sodium', workers: 3 })));
    expect(poolStats().leased).toBe(2);
    await Promise.all(
      blinders.map(async (blinder, i) => {
        const uniform = uniformOf(130 + i);
        const mine = await blinder.blind(uniform);
        expect(mine).toEqual(sodium.blindUniform(uniform, keys[i]!));
        expect(await blinder.reblind(mine)).toEqual(sodium.multiply(mine, keys[i]!));
      }),
    );
    await Promise.all(blinders.map((blinder) => blinder.close()));
    expect(poolStats().leased).toBe(1);
  });
});

describe('pool registry', () => {
  it('stops a pool after IDLE_MS without leases; a lease in between restarts the wait', () => {
    vi.useFakeTimers();
    try {
      const lease = acquirePool('noble', 5);
      expect(poolStats()).toEqual({ leased: 1, idle: 0 });
      lease.release();
      lease.release();
      expect(poolStats()).toEqual({ leased: 0, idle: 1 });
      vi.advanceTimersByTime(IDLE_MS - 1);
      const again = acquirePool('noble', 5);
      again.release();
      vi.advanceTimersByTime(IDLE_MS - 1);
      expect(poolStats()).toEqual({ leased: 0, idle: 1 });
      vi.advanceTimersByTime(1);
      expect(poolStats()).toEqual({ leased: 0, idle: 0 });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('createBlinder', () => {
  it('blinds on one worker thread with workers: 1, never on the calling thread: the event loop turns while it works', async () => {
    const key = randomScalar();
    const blinder = await createBlinder({ key: key.slice(), workers: 1, backend: 'sodium' });
    expect(poolStats().leased).toBe(1);
    const uniform = new Uint8Array(randomFill(2_000 * 64));
    let settled = false;
    const blinded = blinder.blind(uniform).finally(() => (settled = true));
    // Computed inline, the call would have finished before returning; on a thread it is still running here.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(await blinded).toEqual(sodium.blindUniform(uniform, key));
    await blinder.close();
    expect(await failure(blinder.blind(uniform))).toMatchObject({ code: 'BLINDER_CLOSED' });
    await stopIdlePools();
    expect(poolStats()).toEqual({ leased: 0, idle: 0 });
  });

  it('without threads installed or given, computes on the calling thread and leases no pool (the browser case)', async () => {
    installBlindingThreads(undefined);
    try {
      const key = randomScalar();
      const blinder = await createBlinder({ key: key.slice(), workers: 1, backend: 'sodium' });
      expect(poolStats().leased).toBe(0);
      const uniform = new Uint8Array(randomFill(2_000 * 64));
      let settled = false;
      const blinded = blinder.blind(uniform).finally(() => (settled = true));
      // Computed inline, the call is done before it returns: only its promise's callbacks are left.
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(true);
      expect(await blinded).toEqual(sodium.blindUniform(uniform, key));
      await blinder.close();
    } finally {
      installBlindingThreads(workerThreads);
    }
  });

  it('takes the threads it is given over none installed', async () => {
    installBlindingThreads(undefined);
    try {
      const key = randomScalar();
      const blinder = await createBlinder({ key: key.slice(), workers: 1, backend: 'sodium', threads: workerThreads });
      expect(poolStats().leased).toBe(1);
      const uniform = uniformOf(300);
      expect(await blinder.blind(uniform)).toEqual(sodium.blindUniform(uniform, key));
      await blinder.close();
      expect(poolStats().leased).toBe(0);
      await stopIdlePools();
    } finally {
      installBlindingThreads(workerThreads);
    }
  });

  it('refuses bad keys, worker counts and backends with typed errors', async () => {
    await expect(createBlinder({ key: new Uint8Array(32) })).rejects.toMatchObject({ code: 'SCALAR_INVALID' });
    await expect(createBlinder({ key: new Uint8Array(3) })).rejects.toMatchObject({ code: 'SCALAR_INVALID' });
    for (const workers of [0, -1, 1.5, Number.NaN]) {
      await expect(createBlinder({ key: randomScalar(), workers })).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
    }
    await expect(createBlinder({ key: randomScalar(), backend: 'wasm' as never })).rejects.toMatchObject({ code: 'BACKEND_UNKNOWN' });
    expect(poolStats()).toEqual({ leased: 0, idle: 0 });
  });
});
