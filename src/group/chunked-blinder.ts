import { PsiError } from '../errors.js';
import type { Blinder } from './blinder.js';
import { ELEMENT_BYTES, UNIFORM_BYTES } from './constants.js';
import { packedCount } from './packed.js';
import { zeroize } from './scalar.js';
import type { SyncGroupBackend } from './suite.js';
import type { ChunkOp, BlindingLease } from './threads.js';

/**
 * Tuning of {@link chunkedBlinder}; the defaults suit both backends.
 *
 * @example
 * ```ts
 * const opts: ChunkedBlinderOptions = { inlineBelow: 0, pieceItems: 64 };
 * ```
 */
export interface ChunkedBlinderOptions {
  /** Calls with fewer items run on the calling thread: a worker round trip would cost more. */
  inlineBelow?: number;
  /** Most items per worker task, so that concurrent calls interleave on the threads. */
  pieceItems?: number;
}

const INLINE_BELOW = 128;
const PIECE_ITEMS = 2048;

/** Re-bases the element index in a piece's `POINT_INVALID` message on the whole call. */
function atOffset(error: unknown, start: number): unknown {
  if (!(error instanceof PsiError) || error.code !== 'POINT_INVALID' || start === 0) return error;
  return new PsiError(
    error.code,
    error.message.replace(/^element (\d+)/, (_, i: string) => `element ${start + Number(i)}`),
  );
}

/**
 * A {@link Blinder} that splits each call into pieces, runs them on a pool of
 * threads when given one (else, and for small calls, on the calling thread) and reassembles
 * the output in order. Results and errors are the same as computing inline: a bad
 * element anywhere fails the call with the `POINT_INVALID` of the first bad one.
 * Takes ownership of `key`; `close()` zeroises it here and resolves once every
 * thread has zeroised its copy. Input
 * buffers are read while the call is pending and must not change until it settles.
 *
 * @example
 * ```ts
 * const blinder = chunkedBlinder(await loadRistretto255Backend('sodium'), randomScalar(), workerThreads.lease('sodium', 2, 'ristretto255'));
 * const elements = await blinder.blind(uniform);
 * await blinder.close();
 * ```
 */
export function chunkedBlinder(
  backend: SyncGroupBackend,
  key: Uint8Array,
  lease?: BlindingLease,
  opts: ChunkedBlinderOptions = {},
): Blinder {
  const inlineBelow = opts.inlineBelow ?? INLINE_BELOW;
  const pieceItems = opts.pieceItems ?? PIECE_ITEMS;
  const keyId = lease?.pool.register(key);
  let closed = false;

  async function apply(op: ChunkOp, input: Uint8Array): Promise<Uint8Array> {
    if (closed) throw new PsiError('BLINDER_CLOSED', 'the blinder was closed');
    const width = op === 'blind' ? UNIFORM_BYTES : ELEMENT_BYTES;
    const n = packedCount(input, width);
    if (lease === undefined || keyId === undefined || n < inlineBelow) {
      return op === 'blind' ? backend.blindUniform(input, key) : backend.multiply(input, key);
    }
    // A multiple of the thread count of equal pieces, so that no thread idles at the end of a call.
    const { size } = lease.pool;
    const piece = Math.max(1, Math.ceil(n / (Math.ceil(n / pieceItems / size) * size)));
    const starts: number[] = [];
    for (let start = 0; start < n; start += piece) starts.push(start);
    const results = await Promise.allSettled(
      starts.map((start) => lease.pool.run(op, keyId, input.subarray(start * width, Math.min(n, start + piece) * width))),
    );
    const out = new Uint8Array(n * ELEMENT_BYTES);
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      if (result.status === 'rejected') throw atOffset(result.reason, starts[i]!);
      out.set(result.value, starts[i]! * ELEMENT_BYTES);
    }
    return out;
  }

  return {
    blind: (uniform) => apply('blind', uniform),
    reblind: (elements) => apply('reblind', elements),
    async close() {
      if (closed) return;
      closed = true;
      const dropped = keyId === undefined ? undefined : lease?.pool.unregister(keyId);
      zeroize(key);
      try {
        await dropped;
      } finally {
        lease?.release();
      }
    },
  };
}
