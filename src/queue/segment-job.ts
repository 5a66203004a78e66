import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PsiError } from '../errors.js';
import type { GroupName } from '../group/suite.js';
import type { StorePaths } from '../store/layout.js';

/**
 * A job on the prepare queue: blind segment `segment` of epoch `epoch` of the
 * store at `store` (a path every worker sees, or the one its `--store` names).
 * It carries no key and no identifier: the worker reads the epoch key from the
 * store and the segment's hash-to-group bytes from {@link segmentInput}.
 *
 * @example
 * ```ts
 * const job: SegmentJob = { store: '/mnt/store', epoch: 'e1', segment: 3, count: 65_536, group: 'x25519' };
 * ```
 */
export interface SegmentJob {
  store: string;
  epoch: string;
  segment: number;
  count: number;
  group: GroupName;
}

/**
 * The file a coordinator leaves a segment's hash-to-group bytes in (64 per
 * element) for a worker; removed once the segment verifies.
 *
 * @example
 * ```ts
 * segmentInput(storePaths('store', 'e1'), 3); // 'store/epoch-e1/work/seg-000003.in'
 * ```
 */
export function segmentInput(paths: StorePaths, segment: number): string {
  return join(paths.epochDir, 'work', `seg-${String(segment).padStart(6, '0')}.in`);
}

/**
 * The queue's id of a segment's job: the same for a rerun of the same epoch
 * of the same store, so that a restarted coordinator does not queue it twice.
 *
 * @example
 * ```ts
 * segmentJobId({ store: '/mnt/store', epoch: 'e1', segment: 3, count: 10, group: 'x25519' }); // 'e1.3.5f2c…'
 * ```
 */
export function segmentJobId(job: SegmentJob): string {
  const where = createHash('sha256').update(job.store).digest('hex').slice(0, 12);
  return `${job.epoch}.${job.segment}.${where}`;
}

/**
 * Checks what a worker took off the queue (`OPTIONS_INVALID` otherwise): a
 * queue is shared infrastructure, and a malformed job must fail alone.
 *
 * @example
 * ```ts
 * const job = checkSegmentJob(taken.data);
 * ```
 */
export function checkSegmentJob(data: unknown): SegmentJob {
  const j = data as Partial<SegmentJob> | null;
  const ok =
    typeof j === 'object' &&
    j !== null &&
    typeof j.store === 'string' &&
    typeof j.epoch === 'string' &&
    Number.isSafeInteger(j.segment) &&
    j.segment! >= 0 &&
    Number.isSafeInteger(j.count) &&
    j.count! > 0 &&
    (j.group === 'x25519' || j.group === 'ristretto255');
  if (!ok) throw new PsiError('OPTIONS_INVALID', 'a prepare job is malformed');
  return j as SegmentJob;
}
