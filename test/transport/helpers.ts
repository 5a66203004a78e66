import { request } from 'node:http';
import type { Reveal } from '../../src/wire/reveal.js';

/** `count` distinct addresses `p<i>@example.com` for i in [from, from + count). */
export function emails(from: number, count: number, prefix = 'p'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${from + i}@example.com`);
}

/** Indices of `own` whose value is in `peer`, duplicates included, ascending. */
export function matchIndices(own: readonly string[], peer: readonly string[]): number[] {
  const other = new Set(peer);
  return own.flatMap((x, i) => (other.has(x) ? [i] : []));
}

/** Distinct values of `own` also in `peer`. */
export function overlap(own: readonly string[], peer: readonly string[]): number {
  const other = new Set(peer);
  return new Set(own.filter((x) => other.has(x))).size;
}

export const REVEALS: readonly Reveal[] = ['intersection', 'size', 'none'];

/** A raw HTTP exchange, for requests no well-behaved client would send. */
export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): { code: string; message: string } & Record<string, unknown>;
}

/** Sends one request with exactly the given headers and body (a Buffer, or a generator for chunked uploads). */
export function raw(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Uint8Array | Iterable<Uint8Array> | undefined } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers: opts.headers ?? {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    const { body } = opts;
    if (body === undefined) req.end();
    else if (body instanceof Uint8Array) req.end(body);
    else {
      for (const chunk of body) req.write(chunk);
      req.end();
    }
  });
}

/** Headers of a frame upload, with a bearer token when given. */
export function frameHeaders(token?: string): Record<string, string> {
  return { 'content-type': 'application/octet-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) };
}
