import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { concatParts } from '../bytes.js';
import { EXACT_NOTE, type Figure } from './figure.js';
import { PsiError } from '../errors.js';
import { CIPHERTEXT_BYTES } from '../homomorphic/constants.js';
import { MAX_PAYLOAD_BYTES } from './frame.js';
import { parseReleased } from './release.js';

/** Largest JSON part of a MEASURE or AGGREGATES payload: names and figures, not data. */
export const MAX_MEASURE_JSON_BYTES = 16 << 10;
/** Most value columns on either side of one session. */
export const MAX_VALUE_COLUMNS = 16;
/** CIPHERTEXTS payload header: column u16, offset u32. */
export const CIPHERTEXTS_HEADER_BYTES = 6;
/** Most ciphertexts one CIPHERTEXTS frame carries. */
export const MAX_CIPHERTEXTS_PER_FRAME = Math.floor((MAX_PAYLOAD_BYTES - CIPHERTEXTS_HEADER_BYTES) / CIPHERTEXT_BYTES);
/** Largest value bound an advertiser may declare (2^40: 10^12 cents is ten billion in currency). */
export const MAX_VALUE_BOUND = 2n ** 40n;

/**
 * The client's MEASURE frame: which aggregates over the intersection it asks for.
 *
 * @example
 * ```ts
 * const request: MeasureRequest = { platformColumns: ['impressions'], columns: ['amount'], valueBound: 100_000n, publicKey };
 * ```
 */
export interface MeasureRequest {
  /** The platform's value columns to release (names from its terms). */
  platformColumns: readonly string[];
  /** Names of the client's encrypted columns, in the order of its CIPHERTEXTS streams. */
  columns: readonly string[];
  /** Every value the client encrypted is in [0, valueBound]: the sensitivity of its sums. 0 without columns. */
  valueBound: bigint;
  /** The client's ElGamal public key (32 bytes), present iff `columns` is not empty. */
  publicKey?: Uint8Array;
}

/**
 * How the platform made the encrypted sums of an AGGREGATES frame: what the
 * client needs to decrypt and describe them.
 *
 * @example
 * ```ts
 * const sums: SumsParameters = { epsilon: 0.25, significantDigits: 2, noiseBound: 112_000_000n };
 * ```
 */
export interface SumsParameters {
  /** Epsilon of each sum's noise; `null` under exact disclosure (no noise). */
  epsilon: number | null;
  /** Significant digits the policy rounds released figures to; `null` keeps the integer. */
  significantDigits: number | null;
  /** The platform clamped each noise draw to [-noiseBound, noiseBound]. */
  noiseBound: bigint;
}

/**
 * The platform's AGGREGATES frame: its own columns released, and one
 * re-randomised encrypted sum per client column, in request order.
 *
 * @example
 * ```ts
 * const { platform, sums, ciphertexts } = decodeAggregates(frame.payload);
 * ```
 */
export interface AggregatesMessage {
  platform: Readonly<Record<string, Figure>>;
  sums: SumsParameters | null;
  /** 64 bytes per client column. */
  ciphertexts: Uint8Array;
}

/**
 * One CIPHERTEXTS chunk: ciphertexts of column `column` from position `offset`
 * of the client's sending order.
 *
 * @example
 * ```ts
 * const chunk: CiphertextChunk = { column: 0, offset: 0, ciphertexts };
 * ```
 */
export interface CiphertextChunk {
  column: number;
  offset: number;
  ciphertexts: Uint8Array;
}

const utf8 = new TextEncoder();
const bad = (where: string, why: string) => new PsiError('PAYLOAD_INVALID', `${where}: ${why}`);

function parseJson(bytes: Uint8Array, where: string): Record<string, unknown> {
  if (bytes.length > MAX_MEASURE_JSON_BYTES) throw bad(where, `${bytes.length} bytes of JSON exceeds ${MAX_MEASURE_JSON_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new PsiError('PAYLOAD_INVALID', `${where}: not UTF-8 JSON`, { cause: e });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad(where, 'not an object');
  return json as Record<string, unknown>;
}

function encodeJson(value: unknown, where: string): Uint8Array {
  const out = utf8.encode(JSON.stringify(value));
  if (out.length > MAX_MEASURE_JSON_BYTES) throw bad(where, `${out.length} bytes of JSON exceeds ${MAX_MEASURE_JSON_BYTES}`);
  return out;
}

/**
 * Checks a list of column names: at most {@link MAX_VALUE_COLUMNS}, each 1..64
 * characters, no repeats. `PAYLOAD_INVALID` naming `where` otherwise.
 *
 * @example
 * ```ts
 * checkColumnNames(['impressions', 'clicks'], 'serve --values');
 * ```
 */
export function checkColumnNames(names: unknown, where: string): string[] {
  if (!Array.isArray(names) || names.length > MAX_VALUE_COLUMNS) throw bad(where, `columns must be a list of at most ${MAX_VALUE_COLUMNS}`);
  for (const n of names)
    if (typeof n !== 'string' || n.length < 1 || n.length > 64) throw bad(where, 'a column name must be 1..64 characters');
  if (new Set(names).size !== names.length) throw bad(where, 'a column is named twice');
  return names as string[];
}

/** A non-negative decimal integer string as a bigint at most `max`. */
function parseBound(value: unknown, where: string, max: bigint): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(value) || BigInt(value) > max) {
    throw bad(where, `a bound must be a decimal integer string in [0, ${max}]`);
  }
  return BigInt(value);
}

/**
 * Serialises a MEASURE payload: UTF-8 JSON `{ platformColumns, columns,
 * valueBound: "decimal", publicKey?: "hex" }`.
 *
 * @example
 * ```ts
 * encodeMeasure({ platformColumns: ['clicks'], columns: [], valueBound: 0n });
 * ```
 */
export function encodeMeasure(request: MeasureRequest): Uint8Array {
  const { platformColumns, columns, valueBound, publicKey } = request;
  return encodeJson(
    {
      platformColumns,
      columns,
      valueBound: valueBound.toString(),
      ...(publicKey === undefined ? {} : { publicKey: bytesToHex(publicKey) }),
    },
    'measure payload',
  );
}

/**
 * Parses an untrusted MEASURE payload (`PAYLOAD_INVALID` for anything but a
 * well-formed request). The public key's group encoding is checked by whoever
 * encrypts under it.
 *
 * @example
 * ```ts
 * const { platformColumns, columns, valueBound, publicKey } = decodeMeasure(frame.payload);
 * ```
 */
export function decodeMeasure(payload: Uint8Array): MeasureRequest {
  const where = 'measure payload';
  const f = parseJson(payload, where);
  const platformColumns = checkColumnNames(f.platformColumns, where);
  const columns = checkColumnNames(f.columns, where);
  const valueBound = parseBound(f.valueBound, where, MAX_VALUE_BOUND);
  if (columns.length === 0) {
    if (f.publicKey !== undefined || valueBound !== 0n) throw bad(where, 'a public key and a bound come only with columns');
    return { platformColumns, columns, valueBound };
  }
  if (valueBound === 0n) throw bad(where, 'columns need a positive valueBound');
  if (typeof f.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(f.publicKey)) throw bad(where, 'publicKey must be 64 hex digits');
  return { platformColumns, columns, valueBound, publicKey: hexToBytes(f.publicKey) };
}

/**
 * Serialises a CIPHERTEXTS payload: column (u16 BE), offset (u32 BE), then
 * k >= 1 ciphertexts of {@link CIPHERTEXT_BYTES} (64) bytes.
 *
 * @example
 * ```ts
 * encodeCiphertexts({ column: 0, offset: 0, ciphertexts: packed.subarray(0, 1000 * CIPHERTEXT_BYTES) });
 * ```
 */
export function encodeCiphertexts(chunk: CiphertextChunk): Uint8Array {
  const out = new Uint8Array(CIPHERTEXTS_HEADER_BYTES + chunk.ciphertexts.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, chunk.column);
  view.setUint32(2, chunk.offset);
  out.set(chunk.ciphertexts, CIPHERTEXTS_HEADER_BYTES);
  return out;
}

/**
 * Parses an untrusted CIPHERTEXTS payload: whole ciphertexts, at least one.
 * Their points are checked when summed (`CIPHERTEXT_INVALID`).
 *
 * @example
 * ```ts
 * const { column, offset, ciphertexts } = decodeCiphertexts(frame.payload);
 * ```
 */
export function decodeCiphertexts(payload: Uint8Array): CiphertextChunk {
  const body = payload.length - CIPHERTEXTS_HEADER_BYTES;
  if (body < CIPHERTEXT_BYTES || body % CIPHERTEXT_BYTES !== 0) {
    throw bad('ciphertexts payload', `${payload.length} bytes do not hold whole ciphertexts`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, CIPHERTEXTS_HEADER_BYTES);
  return { column: view.getUint16(0), offset: view.getUint32(2), ciphertexts: payload.subarray(CIPHERTEXTS_HEADER_BYTES) };
}

/**
 * Serialises an AGGREGATES payload: JSON length (u32 BE), UTF-8 JSON
 * `{ platform: { name: figure }, sums: { epsilon, significantDigits, noiseBound: "decimal" } | null }`,
 * then 64 bytes per encrypted sum.
 *
 * @example
 * ```ts
 * encodeAggregates({ platform: { clicks: released }, sums: null, ciphertexts: new Uint8Array(0) });
 * ```
 */
export function encodeAggregates(message: AggregatesMessage): Uint8Array {
  const { platform, sums, ciphertexts } = message;
  const json = encodeJson(
    { platform, sums: sums === null ? null : { ...sums, noiseBound: sums.noiseBound.toString() } },
    'aggregates payload',
  );
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, json.length);
  return concatParts([length, json, ciphertexts]);
}

/** An exact figure from untrusted JSON: the fixed shape {@link exactFigure} makes. */
function parseExact(f: Record<string, unknown>, where: string): Figure {
  const v = f.value;
  const i = f.interval95;
  if (
    typeof v !== 'number' ||
    !Number.isSafeInteger(v) ||
    f.note !== EXACT_NOTE ||
    f.scale !== 0 ||
    f.threshold !== null ||
    !Array.isArray(i) ||
    i.length !== 2 ||
    i[0] !== v ||
    i[1] !== v
  ) {
    throw bad(where, 'not a well-formed exact figure');
  }
  return { value: v, note: EXACT_NOTE, epsilon: null, scale: 0, threshold: null, interval95: [v, v] };
}

/**
 * Checks an untrusted figure: released (see `parseReleased`) or exact (`epsilon: null`).
 *
 * @example
 * ```ts
 * parseFigure({ value: 7, note: EXACT_NOTE, epsilon: null, scale: 0, threshold: null, interval95: [7, 7] }, 'x');
 * ```
 */
export function parseFigure(json: unknown, where: string): Figure {
  if (typeof json === 'object' && json !== null && (json as Record<string, unknown>).epsilon === null) {
    return parseExact(json as Record<string, unknown>, where);
  }
  return parseReleased(json, where);
}

/**
 * Parses an untrusted AGGREGATES payload (`PAYLOAD_INVALID` unless well-formed;
 * whether it answers the request is the receiver's check).
 *
 * @example
 * ```ts
 * const { platform, sums, ciphertexts } = decodeAggregates(frame.payload);
 * ```
 */
export function decodeAggregates(payload: Uint8Array): AggregatesMessage {
  const where = 'aggregates payload';
  if (payload.length < 4) throw bad(where, 'shorter than its length field');
  const length = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
  if (length > payload.length - 4) throw bad(where, 'JSON length exceeds the payload');
  const f = parseJson(payload.subarray(4, 4 + length), where);
  const ciphertexts = payload.subarray(4 + length);
  if (ciphertexts.length % CIPHERTEXT_BYTES !== 0) throw bad(where, 'trailing bytes are not whole ciphertexts');
  const p = f.platform;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad(where, 'platform must be an object');
  const names = checkColumnNames(Object.keys(p), where);
  const platform: Record<string, Figure> = {};
  for (const name of names) platform[name] = parseFigure((p as Record<string, unknown>)[name], `${where}, column ${name}`);
  let sums: SumsParameters | null = null;
  if (f.sums !== null) {
    const s = f.sums as Record<string, unknown>;
    if (typeof s !== 'object' || s === null) throw bad(where, 'sums must be an object or null');
    const { epsilon, significantDigits } = s;
    if (epsilon !== null && (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon))) {
      throw bad(where, 'sums.epsilon must be positive or null');
    }
    if (
      significantDigits !== null &&
      (!Number.isInteger(significantDigits) || (significantDigits as number) < 1 || (significantDigits as number) > 15)
    ) {
      throw bad(where, 'sums.significantDigits must be 1..15 or null');
    }
    sums = { epsilon, significantDigits: significantDigits as number | null, noiseBound: parseBound(s.noiseBound, where, 2n ** 62n) };
  }
  if ((sums === null) !== (ciphertexts.length === 0)) throw bad(where, 'encrypted sums come with their parameters');
  return { platform, sums, ciphertexts };
}
