import { PsiError } from '../errors.js';
import { sameBytes } from '../bytes.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { findDuplicatePacked } from '../join/index.js';

/**
 * The checks a party makes on what its peer sends and returns, before anything
 * depends on them. None names an element's position: errors to a peer carry
 * none (docs/protocol.md, "The rule until the release").
 */

/**
 * Reports a peer element the suite refuses without its position.
 *
 * @example
 * ```ts
 * await blinder.reblind(elements).catch(positionFree);
 * ```
 */
export function positionFree(e: unknown): never {
  if (e instanceof PsiError && e.code === 'POINT_INVALID') {
    throw new PsiError(
      'POINT_INVALID',
      'the peer sent an element that is no valid group element (not canonical, the identity or of small order)',
      {
        cause: e,
      },
    );
  }
  throw e;
}

/**
 * A chunk must start where the stream stands and carry no more than the peer still owes.
 *
 * @example
 * ```ts
 * checkChunk(offset, count, received, declared); // CHUNK_OFFSET or CHUNK_OVERFLOW otherwise
 * ```
 */
export function checkChunk(offset: number, count: number, received: number, expected: number): void {
  if (offset !== received) throw new PsiError('CHUNK_OFFSET', `chunk starts at element ${offset}, expected ${received}`);
  if (count > expected - received) {
    throw new PsiError('CHUNK_OVERFLOW', `chunk of ${count} elements exceeds the ${expected - received} still declared`);
  }
}

/**
 * Refuses a whole stream with a repeated element; the message names no position.
 *
 * @example
 * ```ts
 * rejectDuplicates(returned, 'the peer returned the same element twice');
 * ```
 */
export function rejectDuplicates(elements: Uint8Array, message: string): void {
  if (findDuplicatePacked(elements, { width: ELEMENT_BYTES }) !== -1) throw new PsiError('PEER_DUPLICATE', message);
}

/**
 * Our rows as the peer returned them. In our order (`'intersection'`), elements
 * of the same key must come back equal and no other two may: a peer copying a
 * matched return over another row's would fake a match. Shuffled (`'size'`),
 * the peer's row order is unknown, so only the multiplicities are checked
 * against ours; a peer can then relabel keys that our rows share, which moves
 * the count by at most the rows sharing keys (docs/protocol.md, "Rows").
 *
 * @example
 * ```ts
 * checkReturnedRows(ownDouble, keyAt, learn === 'intersection');
 * ```
 */
export function checkReturnedRows(returned: Uint8Array, keyAt: Int32Array, inOrder: boolean): void {
  const firstAt = new Map<number, number>();
  const representatives = new Uint8Array(returned.length);
  let n = 0;
  for (let p = 0; p < keyAt.length; p++) {
    const id = keyAt[p]!;
    const first = id < 0 ? undefined : firstAt.get(id);
    if (first === undefined) {
      if (id >= 0) firstAt.set(id, p);
      representatives.set(returned.subarray(p * ELEMENT_BYTES, (p + 1) * ELEMENT_BYTES), n++ * ELEMENT_BYTES);
    } else if (inOrder && !sameBytes(elementAt(returned, p), elementAt(returned, first))) {
      throw new PsiError('PEER_DUPLICATE', 'the peer returned one key two different ways');
    }
  }
  if (inOrder) rejectDuplicates(representatives.subarray(0, n * ELEMENT_BYTES), 'the peer returned the same element twice');
  else if (
    !sameCounts(
      multiplicities(prefixes(returned, ELEMENT_BYTES)),
      multiplicities(BigUint64Array.from(keyAt, (id, p) => BigInt(id < 0 ? keyAt.length + p : id))),
    )
  ) {
    throw new PsiError('PEER_DUPLICATE', 'the peer returned our rows with elements repeated other than ours');
  }
}

function elementAt(packed: Uint8Array, p: number): Uint8Array {
  return packed.subarray(p * ELEMENT_BYTES, (p + 1) * ELEMENT_BYTES);
}

/** How often each distinct value occurs, in ascending order of counts. */
function multiplicities(values: BigUint64Array): Uint32Array {
  const sorted = values.slice().sort();
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) counts.push(0);
    counts[counts.length - 1]!++;
  }
  return Uint32Array.from(counts).sort();
}

function sameCounts(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The first 8 bytes of each `width`-byte record, as big-endian integers. */
function prefixes(packed: Uint8Array, width: number): BigUint64Array {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const out = new BigUint64Array(packed.length / width);
  for (let i = 0; i < out.length; i++) out[i] = view.getBigUint64(i * width);
  return out;
}
