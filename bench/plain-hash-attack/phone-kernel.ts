import { createHash, hash } from 'node:crypto';
import { oneBlockFirstWord } from './one-block-sha256.js';

/**
 * How candidates are hashed: the obvious per-call API, the one-shot API, or the one-block kernel.
 *
 * @example
 * ```ts
 * const method: PhoneMethod = 'one-block';
 * ```
 */
export type PhoneMethod = 'createHash' | 'crypto.hash' | 'one-block';

/**
 * A slice of one area code to enumerate: Meta-format numbers `prefix` +
 * 7 digits (`16505551212`), suffixes `from` (inclusive) to `to` (exclusive).
 *
 * @example
 * ```ts
 * const job: PhoneJob = { prefix: '1650', from: 0, to: 1e7, method: 'one-block', targets: ['e323ec62...'] };
 * ```
 */
export interface PhoneJob {
  /** Country code and area code, exactly 4 ASCII digits, e.g. `1650`. */
  prefix: string;
  from: number;
  to: number;
  method: PhoneMethod;
  /** The leaked upload file: lowercase hex SHA-256 of each normalised number. */
  targets: string[];
}

/**
 * What a job recovered and how long it took.
 *
 * @example
 * ```ts
 * const { tried, found, seconds }: PhoneJobResult = enumeratePhones(job);
 * ```
 */
export interface PhoneJobResult {
  tried: number;
  found: string[];
  seconds: number;
}

const DIGIT = 0x30;

/** Signed first 32-bit word of a hex digest, the cheap filter every method checks first. */
function firstWord(hex: string): number {
  return Number.parseInt(hex.slice(0, 8), 16) | 0;
}

function suffix(n: number): string {
  return String(n).padStart(7, '0');
}

/**
 * Hashes every candidate of the slice and returns those whose hash is in the
 * target list (each hit confirmed with a full SHA-256).
 *
 * @example
 * ```ts
 * enumeratePhones({ prefix: '1650', from: 0, to: 1e6, method: 'one-block', targets });
 * ```
 */
export function enumeratePhones(job: PhoneJob): PhoneJobResult {
  if (!/^\d{4}$/.test(job.prefix)) throw new Error('prefix must be 4 digits');
  const full = new Set(job.targets);
  const words = new Set(job.targets.map(firstWord));
  const found: string[] = [];
  const confirm = (n: number): void => {
    const candidate = job.prefix + suffix(n);
    if (full.has(hash('sha256', candidate, 'hex'))) found.push(candidate);
  };
  const start = process.hrtime.bigint();
  if (job.method === 'createHash') {
    for (let n = job.from; n < job.to; n++) {
      const digest = createHash('sha256')
        .update(job.prefix + suffix(n))
        .digest();
      if (words.has(digest.readInt32BE(0))) confirm(n);
    }
  } else if (job.method === 'crypto.hash') {
    const message = Buffer.from(`${job.prefix}0000000`);
    for (let n = job.from; n < job.to; n++) {
      for (let i = 10, v = n; i >= 4; i--, v = (v / 10) | 0) message[i] = DIGIT + (v % 10);
      if (words.has(hash('sha256', message, 'buffer').readInt32BE(0))) confirm(n);
    }
  } else {
    // 11 message bytes, then 0x80, zeros, and the bit length 88: words 0-2 and 15 are all that is set.
    const w = new Int32Array(64);
    const w0 = Buffer.from(job.prefix).readInt32BE(0);
    const digit = (v: number): number => DIGIT + (v % 10);
    for (let n = job.from; n < job.to; n++) {
      const hi = (n / 1000) | 0;
      const lo = n % 1000;
      w.fill(0, 0, 16);
      w[0] = w0;
      w[1] = (digit((hi / 1000) | 0) << 24) | (digit((hi / 100) | 0) << 16) | (digit((hi / 10) | 0) << 8) | digit(hi);
      w[2] = (digit((lo / 100) | 0) << 24) | (digit((lo / 10) | 0) << 16) | (digit(lo) << 8) | 0x80;
      w[15] = 88;
      if (words.has(oneBlockFirstWord(w))) confirm(n);
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { tried: job.to - job.from, found, seconds };
}
