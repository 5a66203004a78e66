import { ed25519, ristretto255 } from '@noble/curves/ed25519.js';
import { PsiError } from '../errors.js';
import { ELEMENT_BYTES } from '../group/constants.js';
import { packedCount } from '../group/packed.js';
import { ORDER } from './scalars.js';

/*
 * Baby-step giant-step discrete logarithm of m·G for |m| <= B, on edwards25519 in
 * extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z (Hisil et al. 2008).
 *
 * Why not compare ristretto255 encodings: each encoding costs an inverse square root
 * (RFC 9496 §4.3.2), about 30 field multiplications' worth of exponentiation, and every
 * libsodium call decodes and re-encodes. Instead each point gets a key from |xy|, which
 * needs one inversion, shared by a whole batch (Montgomery's trick: 3 multiplications
 * per point). |xy| is the right key because a ristretto255 element is a coset P + E[4]
 * of Edwards points (RFC 9496 §4.1): adding the 2-torsion point (0,-1) maps (x,y) to
 * (-x,-y), adding a 4-torsion point maps it to (±y/√a, ∓√a·x), and negation maps it to
 * (-x,y), so |xy| is the same on ±P + E[4]. Conversely the curve equation with xy = ±t
 * has at most 8 solutions, exactly those 8 points: |xy| identifies ±m up to the
 * cofactor, whatever Edwards representative a decoder chose. The ± halves the table.
 *
 * The table stores 32 bits of the key; a match is confirmed by one fixed-base
 * multiplication and a ristretto255 equality, so a truncation collision (probability
 * N/2^32 per giant step) costs time, never a wrong answer.
 */

const Fp = ed25519.Point.Fp;
const P = Fp.ORDER;
const HALF_P = (P - 1n) / 2n;
const D = ed25519.Point.CURVE().d;
const { Point } = ristretto255;

/** Points per batch inversion: large enough to amortise the inversion, small enough to stop early. */
const BATCH = 512;
/** Most baby steps a table may hold: 2^24 entries is 128 MiB of index. */
const MAX_BABY_STEPS = 2 ** 24;
/** Largest bound: far below ℓ/2 (no wrap-around), and giant steps still count in doubles. */
const MAX_BOUND = 2n ** 62n;

const mod = (a: bigint) => {
  const r = a % P;
  return r < 0n ? r + P : r;
};

/** A point to add repeatedly, in the (y+x, y-x, 2d·xy) form of ref10's `ge_precomp`. */
interface Precomp {
  ypx: bigint;
  ymx: bigint;
  xy2d: bigint;
}

function precomp(x: bigint, y: bigint): Precomp {
  return { ypx: mod(y + x), ymx: mod(y - x), xy2d: mod(2n * D * mod(x * y)) };
}

function negated(q: Precomp): Precomp {
  return { ypx: q.ymx, ymx: q.ypx, xy2d: mod(-q.xy2d) };
}

/** Mutable extended coordinates; one object per walker, no allocation per step. */
interface Ext {
  X: bigint;
  Y: bigint;
  Z: bigint;
  T: bigint;
}

/** p += q, mixed addition for a = -1 (ref10 `ge_madd`, "madd-2008-hwcd-3"): 7 multiplications. */
function addInPlace(p: Ext, q: Precomp): void {
  const A = ((p.Y - p.X) * q.ymx) % P;
  const B = ((p.Y + p.X) * q.ypx) % P;
  const C = (p.T * q.xy2d) % P;
  const D2 = 2n * p.Z;
  const E = B - A;
  const F = D2 - C;
  const G = D2 + C;
  const H = B + A;
  p.X = mod(E * F);
  p.Y = mod(G * H);
  p.T = mod(E * H);
  p.Z = mod(F * G);
}

/**
 * 32 bits of |xy| for each point, given parallel arrays of T and Z: one field inversion
 * for the whole batch (Montgomery's trick).
 */
function keys(Ts: bigint[], Zs: bigint[], count: number, out: Uint32Array): void {
  const prefix: bigint[] = new Array<bigint>(count);
  let acc = 1n;
  for (let k = 0; k < count; k++) {
    acc = (acc * Zs[k]!) % P;
    prefix[k] = acc;
  }
  let inv = Fp.inv(acc);
  for (let k = count - 1; k >= 0; k--) {
    const zinv = k === 0 ? inv : (inv * prefix[k - 1]!) % P;
    inv = (inv * Zs[k]!) % P;
    const t = (Ts[k]! * zinv) % P;
    out[k] = Number(BigInt.asUintN(32, t > HALF_P ? P - t : t));
  }
}

/**
 * Options of {@link createDecryptionTable}.
 *
 * @example
 * ```ts
 * const opts: DecryptionTableOptions = { bound: 2n ** 32n, babySteps: 2 ** 16 };
 * ```
 */
export interface DecryptionTableOptions {
  /** Decrypted values lie in [-bound, bound]; see {@link sumBound}. At most 2^62. */
  bound: bigint;
  /**
   * Table entries N (the points j·G, 0 <= j < N), in [1, 2^24]. Building costs N point
   * additions once; each decryption then costs at most about bound / N giant steps (the
   * table covers a window of 2N - 1 values). Default: the power of two nearest
   * sqrt(bound), within [2^8, 2^18].
   */
  babySteps?: number;
  /**
   * A saved index ({@link DecryptionTable.exportIndex}) for the same `babySteps`: skips
   * the build. Safe to load from anywhere: it only suggests candidates, and every answer
   * is confirmed by m·G = point, so a corrupt index can cost a miss
   * (`SUM_OUT_OF_RANGE`), never a wrong value.
   */
  index?: Uint8Array;
}

/**
 * A reusable baby-step table for decrypting exponential ElGamal: finds m from m·G when
 * |m| <= bound, and otherwise throws `SUM_OUT_OF_RANGE`, never a wrapped value.
 *
 * @example
 * ```ts
 * const table = createDecryptionTable({ bound: 2n ** 32n });
 * table.solve(points.subarray(0, 32)); // e.g. 123456n
 * ```
 */
export interface DecryptionTable {
  readonly bound: bigint;
  readonly babySteps: number;
  /** Bytes held by the index (two 32-bit arrays). */
  readonly bytes: number;
  /** Giant steps of the longest search: a value near ±bound, or one out of range. */
  readonly maxGiantSteps: number;
  /** The m in [-bound, bound] with m·G = `point` (32 bytes, canonical ristretto255). */
  solve(point: Uint8Array): bigint;
  /** {@link DecryptionTable.solve} for n packed points (n x 32 bytes). */
  solveAll(points: Uint8Array): bigint[];
  /** The index as bytes (little-endian, {@link DecryptionTable.bytes} long), to cache: it holds no secret. */
  exportIndex(): Uint8Array;
}

/**
 * Builds the baby-step table: N point additions and N/512 inversions in pure JS (noble's
 * field), the same on every backend and in browsers. Build it once per size and reuse it
 * for every decryption; it holds no secret.
 *
 * @example
 * ```ts
 * const table = createDecryptionTable({ bound: sumBound({ valueBound: 10n ** 6n, maxRows: 100_000 }) });
 * const sums = decryptValues(backend, table, ciphertexts, keys.secretKey);
 * ```
 */
export function createDecryptionTable(options: DecryptionTableOptions): DecryptionTable {
  const { bound } = options;
  if (typeof bound !== 'bigint' || bound < 0n || bound > MAX_BOUND) {
    throw new PsiError('OPTIONS_INVALID', `bound must be a bigint in [0, 2^62]`);
  }
  const N = options.babySteps ?? defaultBabySteps(bound);
  if (!Number.isSafeInteger(N) || N < 1 || N > MAX_BABY_STEPS) {
    throw new PsiError('OPTIONS_INVALID', `babySteps must be an integer in [1, 2^24]`);
  }
  // Open addressing, load factor <= 1/2; slot value j + 1, 0 marks an empty slot.
  const size = 2 ** Math.ceil(Math.log2(2 * N));
  const mask = size - 1;
  const slotKeys = new Uint32Array(size);
  const slotValues = new Uint32Array(size);
  if (options.index !== undefined) importIndex(options.index, N, slotKeys, slotValues);
  else buildIndex(N, mask, slotKeys, slotValues);

  const Ts: bigint[] = new Array<bigint>(BATCH);
  const Zs: bigint[] = new Array<bigint>(BATCH);
  const batchKeys = new Uint32Array(BATCH);

  // m = i·W + j with |j| <= N - 1, W = 2N - 1; i runs over [-I, I].
  const W = 2n * BigInt(N) - 1n;
  const I = bound > BigInt(N - 1) ? Number((bound - BigInt(N - 1) + W - 1n) / W) : 0;
  const stepPoint = ed25519.Point.BASE.multiply(W);
  const down = precomp(stepPoint.x, stepPoint.y); // adds W·G: i decreases
  const up = negated(down); // subtracts W·G: i increases

  function solve(bytes: Uint8Array): bigint {
    let target;
    try {
      target = Point.fromBytes(bytes);
    } catch (cause) {
      throw new PsiError('POINT_INVALID', 'not a canonical ristretto255 encoding', { cause });
    }
    const found = (m: bigint) => m >= -bound && m <= bound && Point.BASE.multiplyUnsafe(((m % ORDER) + ORDER) % ORDER).equals(target);
    // Any Edwards representative of the coset does: the key ignores E[4].
    const x = target.x;
    const y = target.y;
    const walkers: Ext[] = [
      { X: x, Y: y, Z: 1n, T: mod(x * y) }, // M - i·W·G, i = 0, 1, 2, ...
      { X: x, Y: y, Z: 1n, T: mod(x * y) }, // M + i·W·G, i = 1, 2, ... (i = 0 skipped)
    ];
    addInPlace(walkers[1]!, down);
    const half = BATCH >> 1;
    for (let first = 0; first <= I; first += half) {
      const count = Math.min(half, I - first + 1);
      for (let k = 0; k < count; k++) {
        for (let w = 0; w < 2; w++) {
          const p = walkers[w]!;
          Ts[2 * k + w] = p.T;
          Zs[2 * k + w] = p.Z;
          addInPlace(p, w === 0 ? up : down);
        }
      }
      keys(Ts, Zs, 2 * count, batchKeys);
      for (let k = 0; k < 2 * count; k++) {
        const key = batchKeys[k]!;
        const i = BigInt(first + (k >> 1)) * (k & 1 ? -1n : 1n) + (k & 1 ? -1n : 0n);
        for (let slot = key & mask; slotValues[slot] !== 0; slot = (slot + 1) & mask) {
          if (slotKeys[slot] !== key) continue;
          const j = BigInt(slotValues[slot]! - 1);
          if (found(i * W + j)) return i * W + j;
          if (j !== 0n && found(i * W - j)) return i * W - j;
        }
      }
    }
    throw new PsiError('SUM_OUT_OF_RANGE', `the plaintext is not in [-${bound}, ${bound}]: overflow, another key or a tampered ciphertext`);
  }

  return {
    bound,
    babySteps: N,
    bytes: slotKeys.byteLength + slotValues.byteLength,
    maxGiantSteps: 2 * I + 1,
    solve,
    exportIndex: () => exportIndex(slotKeys, slotValues),
    solveAll(points) {
      const n = packedCount(points, ELEMENT_BYTES);
      const out: bigint[] = [];
      for (let i = 0; i < n; i++) out.push(solve(points.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES)));
      return out;
    },
  };
}

/** Fills the open-addressing index with the keys of j·G, 0 <= j < N (slot value j + 1). */
function buildIndex(N: number, mask: number, slotKeys: Uint32Array, slotValues: Uint32Array): void {
  const Ts: bigint[] = new Array<bigint>(BATCH);
  const Zs: bigint[] = new Array<bigint>(BATCH);
  const batchKeys = new Uint32Array(BATCH);
  const G = precomp(ed25519.Point.BASE.x, ed25519.Point.BASE.y);
  const walker: Ext = { X: 0n, Y: 1n, Z: 1n, T: 0n }; // the identity, j = 0
  for (let start = 0; start < N; start += BATCH) {
    const count = Math.min(BATCH, N - start);
    for (let k = 0; k < count; k++) {
      Ts[k] = walker.T;
      Zs[k] = walker.Z;
      addInPlace(walker, G);
    }
    keys(Ts, Zs, count, batchKeys);
    for (let k = 0; k < count; k++) {
      const key = batchKeys[k]!;
      let slot = key & mask;
      while (slotValues[slot] !== 0) slot = (slot + 1) & mask;
      slotKeys[slot] = key;
      slotValues[slot] = start + k + 1;
    }
  }
}

/**
 * Loads a saved index. Its entries need no trust (answers are verified), but its shape
 * does: exactly N occupied slots with values in [1, N] keep every probe sequence ending
 * at an empty slot.
 */
function importIndex(index: Uint8Array, N: number, slotKeys: Uint32Array, slotValues: Uint32Array): void {
  const size = slotKeys.length;
  if (!(index instanceof Uint8Array) || index.length !== 8 * size) {
    throw new PsiError('OPTIONS_INVALID', `index must be ${8 * size} bytes for ${N} baby steps`);
  }
  const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
  let occupied = 0;
  for (let k = 0; k < size; k++) {
    slotKeys[k] = view.getUint32(4 * k, true);
    const value = view.getUint32(4 * (size + k), true);
    if (value > N) throw new PsiError('OPTIONS_INVALID', `index slot ${k} names baby step ${value - 1} of ${N}`);
    if (value !== 0) occupied++;
    slotValues[k] = value;
  }
  if (occupied !== N) throw new PsiError('OPTIONS_INVALID', `index holds ${occupied} entries, not ${N}`);
}

function exportIndex(slotKeys: Uint32Array, slotValues: Uint32Array): Uint8Array {
  const size = slotKeys.length;
  const out = new Uint8Array(8 * size);
  const view = new DataView(out.buffer);
  for (let k = 0; k < size; k++) {
    view.setUint32(4 * k, slotKeys[k]!, true);
    view.setUint32(4 * (size + k), slotValues[k]!, true);
  }
  return out;
}

/** sqrt(bound) rounded to a power of two: balances one build against one worst-case search. */
function defaultBabySteps(bound: bigint): number {
  const bits = bound === 0n ? 0 : bound.toString(2).length;
  return 2 ** Math.min(18, Math.max(8, Math.round(bits / 2)));
}
