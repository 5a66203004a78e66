import type { Released } from './figure.js';
import { PsiError } from '../errors.js';

/** Largest RELEASE payload accepted: a figure and its note, not data. */
export const MAX_RELEASE_BYTES = 16 << 10;

/**
 * A figure released under a disclosure policy, as it crosses the wire: exactly
 * the disclosure module's `Released` (the released number, `null` when withheld,
 * how it was produced and its noise parameters). Never the exact value.
 *
 * @example
 * ```ts
 * const figure: ReleasedFigure = { value: 1500, note: 'noised with epsilon 0.25, rounded to 2 significant digits',
 *   epsilon: 0.25, scale: 4, threshold: 100, interval95: [1438, 1562] };
 * ```
 */
export type ReleasedFigure = Released;

const utf8 = new TextEncoder();

/**
 * Serialises a released figure as the RELEASE payload: UTF-8 JSON of exactly the
 * {@link ReleasedFigure} fields (extra fields of `figure` are not sent).
 *
 * @example
 * ```ts
 * const payload = encodeRelease(released);
 * ```
 */
export function encodeRelease(figure: ReleasedFigure): Uint8Array {
  const { value, note, epsilon, scale, threshold, interval95, rate } = figure;
  const out = utf8.encode(JSON.stringify({ value, note, epsilon, scale, threshold, interval95, rate }));
  if (out.length > MAX_RELEASE_BYTES) throw new PsiError('PAYLOAD_INVALID', `release of ${out.length} bytes exceeds ${MAX_RELEASE_BYTES}`);
  return out;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const isFinite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Parses an untrusted RELEASE payload, refusing anything but a well-formed
 * figure with `PAYLOAD_INVALID`.
 *
 * @example
 * ```ts
 * decodeRelease(frame.payload).value; // 1500, or null when withheld
 * ```
 */
export function decodeRelease(payload: Uint8Array): ReleasedFigure {
  const bad = (why: string) => new PsiError('PAYLOAD_INVALID', `release payload: ${why}`);
  if (payload.length > MAX_RELEASE_BYTES) throw bad(`${payload.length} bytes exceeds ${MAX_RELEASE_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (e) {
    throw new PsiError('PAYLOAD_INVALID', 'release payload is not UTF-8 JSON', { cause: e });
  }
  return parseReleased(json, 'release payload');
}

/**
 * Checks an untrusted, already parsed JSON value as a {@link ReleasedFigure}
 * (what a RELEASE payload holds, and each platform figure of an AGGREGATES
 * frame), refusing anything else with `PAYLOAD_INVALID`.
 *
 * @example
 * ```ts
 * parseReleased(JSON.parse(text), 'aggregates payload, column clicks').value;
 * ```
 */
export function parseReleased(json: unknown, where: string): ReleasedFigure {
  const bad = (why: string) => new PsiError('PAYLOAD_INVALID', `${where}: ${why}`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not an object');
  const f = json as Record<string, unknown>;
  if (f.value !== null && !isCount(f.value)) throw bad('value must be an integer or null');
  if (typeof f.note !== 'string' || f.note.length > 1000) throw bad('note must be a short string');
  if (!isFinite(f.epsilon) || f.epsilon <= 0 || !isFinite(f.scale) || f.scale <= 0) throw bad('epsilon and scale must be positive');
  if (f.threshold !== null && !isCount(f.threshold)) throw bad('threshold must be an integer or null');
  const figure: { -readonly [K in keyof ReleasedFigure]: ReleasedFigure[K] } = {
    value: f.value,
    note: f.note,
    epsilon: f.epsilon,
    scale: f.scale,
    threshold: f.threshold,
  };
  if (f.interval95 !== undefined) {
    const i = f.interval95;
    if (!Array.isArray(i) || i.length !== 2 || !isCount(i[0]) || !isCount(i[1]) || i[0] > i[1]) throw bad('interval95 must be [lo, hi]');
    figure.interval95 = [i[0], i[1]];
  }
  if (f.rate !== undefined) {
    const r = f.rate as Record<string, unknown> | null;
    if (
      typeof r !== 'object' ||
      r === null ||
      (r.percent !== null && !isCount(r.percent)) ||
      typeof r.text !== 'string' ||
      r.text.length > 20
    ) {
      throw bad('rate must be { percent, text }');
    }
    figure.rate = { percent: r.percent, text: r.text };
  }
  return figure;
}
